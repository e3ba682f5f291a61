package dev.gpushare.scheduler.admission;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpushare.common.annotation.AllocationEncoding;
import dev.gpushare.common.config.DeviceConfig;
import dev.gpushare.webhook.AdmissionReviewHandler;
import dev.gpushare.webhook.MutatorConfig;
import dev.gpushare.webhook.PodMutator;
import dev.gpushare.webhook.QuotaLookup;
import dev.gpushare.webhook.DenialReason;
import dev.gpushare.webhook.QuotaHeadroom;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.servlet.ServletInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.ResponseEntity;
import org.springframework.mock.web.MockHttpServletRequest;

/** Failures behind {@code /webhook}: never a blocked pod creation, always a log line and a count. */
@ExtendWith(OutputCaptureExtension.class)
class WebhookControllerTest {

    private final MockClock clock = new MockClock();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock);
    private final AdmissionMetrics metrics = new AdmissionMetrics(meters);

    private static WebhookController withQuota(QuotaLookup quota, AdmissionMetrics metrics) {
        MutatorConfig config = new MutatorConfig("hami-scheduler", true, DeviceConfig.defaults(),
                AllocationEncoding.V2_8);
        return new WebhookController(new AdmissionReviewHandler(new PodMutator(config, quota)), metrics);
    }

    private static MockHttpServletRequest post(byte[] body) {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/webhook");
        request.setContentType("application/json");
        request.setContent(body);
        return request;
    }

    private double count(String outcome) {
        return meters.get(AdmissionMetrics.ADMISSIONS).tag("outcome", outcome).counter().count();
    }

    private double errors() {
        return meters.get(AdmissionMetrics.ERRORS).counter().count();
    }

    private static String text(ResponseEntity<byte[]> response) {
        return new String(response.getBody(), StandardCharsets.UTF_8);
    }

    @Test
    void aFailingQuotaLookupAdmitsThePodUnchangedWithAWarningAndCountsAnError(CapturedOutput output) {
        WebhookController controller = withQuota(namespace -> {
            throw new IllegalStateException("ledger unavailable");
        }, metrics);

        ResponseEntity<byte[]> response = controller.review(post(AdmissionFixture.bytes()));

        assertThat(response.getStatusCode().value()).isEqualTo(200);
        assertThat(response.getHeaders().getContentType()).hasToString("application/json");
        assertThat(text(response)).isEqualTo("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
                + "\"response\":{\"uid\":\"" + AdmissionFixture.UID + "\",\"allowed\":true,\"warnings\":"
                + "[\"GPU admission webhook failed internally: pod admitted unchanged (no GPU-sharing defaults)\"]}}");
        assertThat(count("internal_error")).isEqualTo(1);
        assertThat(errors()).isEqualTo(1);
        assertThat(count("patched")).isZero();
        assertThat(output.getOut()).contains("ERROR").contains("admission outcome=internal_error"
                + " uid=" + AdmissionFixture.UID + " pod=whtest/wh-pod message=\"ledger unavailable\""
                + " error=java.lang.IllegalStateException")
                .contains("java.lang.IllegalStateException: ledger unavailable");
    }

    @Test
    void aHandlerThatThrowsAnswersAStatus500AndCountsAnError(CapturedOutput output) {
        WebhookController controller = new WebhookController(body -> {
            throw new IllegalStateException("handler bug");
        }, metrics);

        ResponseEntity<byte[]> response = controller.review(post("{}".getBytes(StandardCharsets.UTF_8)));

        assertThat(response.getStatusCode().value()).isEqualTo(500);
        assertThat(text(response)).isEqualTo("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                + "\"message\":\"internal error\",\"reason\":\"InternalError\",\"code\":500}");
        assertThat(count("internal_error")).isEqualTo(1);
        assertThat(errors()).isEqualTo(1);
        assertThat(output.getOut()).contains("admission outcome=internal_error error=java.lang.IllegalStateException")
                .contains("java.lang.IllegalStateException: handler bug");
    }

    @Test
    void aBodyDeclaredLargerThanTheCapIsRefusedUnread() {
        WebhookController controller = withQuota(QuotaLookup.UNLIMITED, metrics);
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/webhook") {
            @Override
            public long getContentLengthLong() {
                return WebhookController.MAX_BODY_BYTES + 1L;
            }

            @Override
            public ServletInputStream getInputStream() {
                throw new AssertionError("the body must not be read");
            }
        };

        ResponseEntity<byte[]> response = controller.review(request);

        assertThat(response.getStatusCode().value()).isEqualTo(413);
        assertThat(text(response)).isEqualTo("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                + "\"message\":\"request body exceeds 4194304 bytes\",\"reason\":\"RequestEntityTooLarge\","
                + "\"code\":413}");
        assertThat(count(AdmissionMetrics.TOO_LARGE)).isEqualTo(1);
        assertThat(errors()).isZero();
    }

    @Test
    void aDenialCountsItsReasonAndTheAnswerTimeGoesIntoTheOutcomesHistogram() {
        WebhookController quotaFull = withQuota(
                namespace -> new QuotaHeadroom.Known(OptionalLong.of(0), OptionalLong.of(0)), metrics);
        WebhookController controller = new WebhookController(body -> {
            clock.add(Duration.ofMillis(30));
            return new AdmissionReviewHandler(new PodMutator(new MutatorConfig("hami-scheduler", true,
                    DeviceConfig.defaults(), AllocationEncoding.V2_8), namespace -> new QuotaHeadroom.Known(
                    OptionalLong.of(0), OptionalLong.of(0)))).handle(body);
        }, metrics);

        controller.review(post(AdmissionFixture.bytes()));
        quotaFull.review(post(AdmissionFixture.bytes()));

        assertThat(count("denied")).isEqualTo(2);
        assertThat(meters.get(AdmissionMetrics.DENIALS).tag("reason", "quota_exceeded").counter().count())
                .isEqualTo(2);
        assertThat(meters.get(AdmissionMetrics.DENIALS).counters()).hasSize(DenialReason.values().length);
        Timer denied = meters.get(AdmissionMetrics.DURATION).tag("outcome", "denied").timer();
        assertThat(denied.count()).isEqualTo(2);
        assertThat(denied.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(30);
        assertThat(denied.max(TimeUnit.MILLISECONDS)).isEqualTo(30);
    }

    @Test
    void everyOutcomeIsRegisteredAtZeroBeforeTheFirstRequest() {
        assertThat(meters.get(AdmissionMetrics.ADMISSIONS).counters()).extracting(c -> c.getId().getTag("outcome"))
                .containsExactlyInAnyOrder("patched", "unchanged", "skipped", "denied", "malformed", "unreadable",
                        "internal_error", "too_large");
        assertThat(meters.get(AdmissionMetrics.ADMISSIONS).counters()).allSatisfy(c -> assertThat(c.count()).isZero());
        assertThat(errors()).isZero();
    }
}
