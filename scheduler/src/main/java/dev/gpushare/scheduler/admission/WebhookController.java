package dev.gpushare.scheduler.admission;

import dev.gpushare.scheduler.listener.RequestBodies;
import dev.gpushare.webhook.AdmissionResult;
import dev.gpushare.webhook.AdmissionReviewHandler;
import io.micrometer.core.instrument.Timer;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The mutating admission webhook, {@code POST /webhook} (served on the TLS port only, see
 * {@code ListenerPathFilter}). Decisions come from {@link AdmissionReviewHandler}; this class reads the body within
 * {@value #MAX_BODY_BYTES} bytes (413 beyond), logs one line per request and counts outcomes
 * ({@link AdmissionMetrics}). Should the handler ever throw, the answer is a 500 Status, so the API server applies
 * the webhook's failurePolicy, and the failure is logged and counted like any internal error.
 *
 * <p>Log levels: patches and denials at INFO (they change what a user's pod becomes); pods left alone at DEBUG
 * (every pod of the cluster passes here); unreadable or oversized requests at WARN; internal errors at ERROR with
 * the stack trace. A line names the pod and the outcome, never the pod's content.
 */
@RestController
class WebhookController {

    static final int MAX_BODY_BYTES = RequestBodies.WEBHOOK_MAX_BYTES;

    private static final Logger log = LoggerFactory.getLogger(WebhookController.class);

    private final Function<byte[], AdmissionResult> reviews;
    private final AdmissionMetrics metrics;

    @Autowired
    WebhookController(AdmissionReviewHandler handler, AdmissionMetrics metrics) {
        this(handler::handle, metrics);
    }

    /** With any review function, so that tests can make it fail. */
    WebhookController(Function<byte[], AdmissionResult> reviews, AdmissionMetrics metrics) {
        this.reviews = Objects.requireNonNull(reviews, "reviews");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    @PostMapping(path = "/webhook")
    ResponseEntity<byte[]> review(HttpServletRequest request) {
        Timer.Sample started = metrics.start();
        byte[] body = RequestBodies.readAtMost(request, MAX_BODY_BYTES);
        if (body == null) {
            metrics.recordTooLarge(started);
            String message = "request body exceeds " + MAX_BODY_BYTES + " bytes";
            log.warn("admission outcome={} message=\"{}\"", AdmissionMetrics.TOO_LARGE, message);
            return json(HttpStatus.CONTENT_TOO_LARGE.value(),
                    status(HttpStatus.CONTENT_TOO_LARGE, "RequestEntityTooLarge", message));
        }
        AdmissionResult result;
        try {
            result = reviews.apply(body);
        } catch (RuntimeException e) {
            metrics.recordFailure(started);
            log.error("admission outcome={} error={}", AdmissionMetrics.tag(AdmissionResult.Outcome.INTERNAL_ERROR),
                    e.getClass().getName(), e);
            return json(HttpStatus.INTERNAL_SERVER_ERROR.value(),
                    status(HttpStatus.INTERNAL_SERVER_ERROR, "InternalError", "internal error"));
        }
        metrics.record(result, started);
        logDecision(result);
        return json(result.httpStatus(), result.body());
    }

    private static void logDecision(AdmissionResult result) {
        if (result.internalError().isPresent()) {
            log.error(result.logLine(), result.internalError().get());
            return;
        }
        switch (result.outcome()) {
            case PATCHED, DENIED -> log.info(result.logLine());
            case MALFORMED, UNREADABLE -> log.warn(result.logLine());
            default -> log.debug(result.logLine());
        }
    }

    /** A Kubernetes {@code Status}: what the API server expects from a webhook that gives no AdmissionReview. */
    private static String status(HttpStatus code, String reason, String message) {
        ObjectNode status = JsonNodeFactory.instance.objectNode();
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        status.put("status", "Failure");
        status.put("message", message);
        status.put("reason", reason);
        status.put("code", code.value());
        return status.toString();
    }

    private static ResponseEntity<byte[]> json(int status, String body) {
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON)
                .body(body.getBytes(StandardCharsets.UTF_8));
    }
}
