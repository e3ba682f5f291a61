package dev.gpushare.scheduler.admission;

import static dev.gpushare.scheduler.support.TestObjects.create;
import static dev.gpushare.scheduler.support.TestObjects.gpuPod;
import static dev.gpushare.scheduler.support.TestObjects.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gpushare.certgen.CertificateFiles;
import dev.gpushare.scheduler.embedded.EmbeddedClusterSeeder;
import dev.gpushare.scheduler.state.ClusterState;
import dev.gpushare.scheduler.support.ExtenderClient;
import dev.gpushare.scheduler.support.SchedulerSpringTest;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code /webhook} over the real TLS listener of the shared test application (its throwaway certificate, trusted
 * through the {@code ca.crt} written beside it): the body cap, unreadable requests, the ledger's quota, metrics.
 */
@SchedulerSpringTest
class WebhookEndpointTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @LocalServerPort
    int port;
    @LocalManagementPort
    int managementPort;
    @Value("${hami.webhook.tls.cert-file}")
    Path certFile;
    @Autowired
    MeterRegistry meters;
    @Autowired
    KubernetesClient client;
    @Autowired
    ClusterState state;
    @Autowired
    ExtenderClient extender;

    private WebhookTlsClient webhook;

    @BeforeEach
    void trustTheGeneratedCa() {
        webhook = new WebhookTlsClient(port, certFile.resolveSibling(CertificateFiles.CA_FILE));
    }

    private double count(String outcome) {
        return meters.get(AdmissionMetrics.ADMISSIONS).tag("outcome", outcome).counter().count();
    }

    /** An AdmissionReview v1 as the API server sends it for the creation of {@code pod}. */
    private static byte[] review(String uid, Pod pod) {
        ObjectNode request = JSON.createObjectNode();
        request.put("uid", uid);
        request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
        request.put("namespace", pod.getMetadata().getNamespace());
        request.put("operation", "CREATE");
        request.set("object", JSON.readTree(Serialization.asJson(pod)));
        ObjectNode review = JSON.createObjectNode();
        review.put("apiVersion", "admission.k8s.io/v1");
        review.put("kind", "AdmissionReview");
        review.set("request", request);
        return JSON.writeValueAsBytes(review);
    }

    private JsonNode answer(byte[] body) throws Exception {
        HttpResponse<String> response = webhook.post(body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body()).path("response");
    }

    @Test
    void aBodyUpToTheCapIsReviewedOneByteMoreIsRefusedWith413() throws Exception {
        byte[] fixture = AdmissionFixture.bytes();
        byte[] atCap = Arrays.copyOf(fixture, WebhookController.MAX_BODY_BYTES);
        Arrays.fill(atCap, fixture.length, atCap.length, (byte) ' ');
        byte[] overCap = Arrays.copyOf(atCap, atCap.length + 1);
        overCap[atCap.length] = ' ';
        double tooLarge = count(AdmissionMetrics.TOO_LARGE);

        assertThat(answer(atCap).path("allowed").asBoolean()).isTrue();

        // Streamed (chunked, no Content-Length): the cap holds while reading, not only on the declared length.
        HttpResponse<String> refused = webhook.post(HttpRequest.BodyPublishers.ofInputStream(
                () -> new ByteArrayInputStream(overCap)));
        assertThat(refused.statusCode()).isEqualTo(413);
        assertThat(refused.body()).isEqualTo("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                + "\"message\":\"request body exceeds 4194304 bytes\",\"reason\":\"RequestEntityTooLarge\","
                + "\"code\":413}");
        assertThat(count(AdmissionMetrics.TOO_LARGE)).isEqualTo(tooLarge + 1);
    }

    @Test
    void aBodyThatIsNotJsonIsABadRequest() throws Exception {
        double unreadable = count("unreadable");

        HttpResponse<String> response = webhook.post("pod: yes".getBytes(StandardCharsets.UTF_8));

        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode status = JSON.readTree(response.body());
        assertThat(status.path("kind").asString()).isEqualTo("Status");
        assertThat(status.path("reason").asString()).isEqualTo("BadRequest");
        assertThat(status.path("code").asInt()).isEqualTo(400);
        assertThat(status.path("message").asString()).startsWith("request body is not JSON: ");
        assertThat(count("unreadable")).isEqualTo(unreadable + 1);
    }

    @Test
    void aReviewOfSomethingOtherThanAPodIsRefusedWithCode400() throws Exception {
        double malformed = count("malformed");
        String review = "{\"apiVersion\":\"admission.k8s.io/v1beta1\",\"kind\":\"AdmissionReview\",\"request\":{"
                + "\"uid\":\"u-service\",\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Service\"},"
                + "\"operation\":\"CREATE\",\"object\":{\"apiVersion\":\"v1\",\"kind\":\"Service\"}}}";

        HttpResponse<String> response = webhook.post(review.getBytes(StandardCharsets.UTF_8));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"apiVersion\":\"admission.k8s.io/v1beta1\",\"kind\":"
                + "\"AdmissionReview\",\"response\":{\"uid\":\"u-service\",\"allowed\":false,\"status\":{"
                + "\"status\":\"Failure\",\"code\":400,\"reason\":\"BadRequest\","
                + "\"message\":\"request.object is not a Pod (kind \\\"Service\\\")\"}}}");
        assertThat(count("malformed")).isEqualTo(malformed + 1);
    }

    @Test
    void theQuotaLeftInTheLedgerDecidesAdmission() throws Exception {
        String namespace = unique("quota");
        String node = unique("quota-node");
        client.nodes().resource(EmbeddedClusterSeeder.gpuNode(node, 2, "NVIDIA A100-SXM4-40GB", 40960, 10)).create();
        await().atMost(Duration.ofSeconds(10)).until(() -> state.snapshotOf(node) != null);
        client.resourceQuotas().inNamespace(namespace).resource(new ResourceQuotaBuilder().withNewMetadata()
                .withName("gpu").withNamespace(namespace).endMetadata().withNewSpec()
                .addToHard("limits.nvidia.com/gpumem", new Quantity("4000")).endSpec().build()).create();
        Pod holder = create(client, gpuPod(namespace, unique("holder"), 1, 3000, 30));
        assertThat(extender.filter(holder, List.of(node)).path("NodeNames").get(0).asString()).isEqualTo(node);
        Pod tooBig = gpuPod(namespace, unique("too-big"), 1, 2000, null);
        Pod fits = gpuPod(namespace, unique("fits"), 1, 1000, null);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(answer(review("u-too-big", tooBig))
                .path("status").path("message").asString()).isEqualTo("exceeding resource quota: pod requests 2000"
                + " MiB of nvidia.com/gpumem in total, namespace " + namespace + " has 1000 MiB left under"
                + " limits.nvidia.com/gpumem"));
        JsonNode denied = answer(review("u-too-big", tooBig));
        assertThat(denied.path("allowed").asBoolean()).isFalse();
        assertThat(denied.path("status").path("code").asInt()).isEqualTo(403);
        // Memory given, so no exclusive-core default; our scheduler already named: nothing to patch.
        assertThat(answer(review("u-fits", fits))).hasToString("{\"uid\":\"u-fits\",\"allowed\":true}");
    }

    @Test
    void theCountersAreScrapedFromTheManagementPort() throws Exception {
        HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + managementPort + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("# TYPE gpushare_webhook_admissions_total counter",
                "gpushare_webhook_admissions_total{outcome=\"too_large\"}",
                "gpushare_webhook_admissions_total{outcome=\"internal_error\"}",
                "# TYPE gpushare_webhook_errors_total counter");
    }
}
