package dev.gpushare.scheduler.listener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gpushare.scheduler.support.SchedulerSpringTest;
import dev.gpushare.scheduler.support.TrustAll;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;

/** Each listener serves only its own paths: the verbs never reach the webhook or the management port. */
@SchedulerSpringTest
class ListenerIsolationTest {

    @LocalServerPort
    int webhookPort;
    @LocalManagementPort
    int managementPort;
    @Autowired
    ExtenderListener extender;

    private final HttpClient http = HttpClient.newBuilder().sslContext(TrustAll.context())
            .sslParameters(TrustAll.withoutHostnameCheck()).connectTimeout(Duration.ofSeconds(5)).build();

    private HttpResponse<String> call(String method, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .method(method, method.equals("POST") ? HttpRequest.BodyPublishers.ofString("{}")
                        : HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theVerbsAreServedOnlyOnTheExtenderListener() throws Exception {
        String webhook = "https://127.0.0.1:" + webhookPort;
        String management = "http://127.0.0.1:" + managementPort;
        for (String verb : new String[] {"/filter", "/bind"}) {
            assertThat(call("POST", "http://127.0.0.1:" + extender.port() + verb).statusCode()).isEqualTo(200);
            assertThat(call("POST", webhook + verb).statusCode()).as("webhook port " + verb).isEqualTo(404);
            assertThat(call("POST", management + verb).statusCode()).as("management port " + verb).isEqualTo(404);
        }
    }

    @Test
    void theWebhookPortServesOnlyWebhookOverTls() throws Exception {
        String webhook = "https://127.0.0.1:" + webhookPort;
        assertThat(call("GET", webhook + "/healthz").statusCode()).isEqualTo(404);
        assertThat(call("GET", webhook + "/metrics").statusCode()).isEqualTo(404);
        assertThat(call("GET", webhook + "/readyz").statusCode()).isEqualTo(404);
        assertThat(call("POST", "http://127.0.0.1:" + extender.port() + "/webhook").statusCode()).isEqualTo(404);
    }

    @Test
    void probesAndMetricsAnswer() throws Exception {
        String management = "http://127.0.0.1:" + managementPort;
        String local = "http://127.0.0.1:" + extender.port();
        for (String base : new String[] {management, local}) {
            HttpResponse<String> health = call("GET", base + "/healthz");
            assertThat(health.statusCode()).as(base).isEqualTo(200);
            assertThat(health.body()).contains("\"status\":\"UP\"");
            // Ready once the first leadership term has rebuilt the ledger, which may follow the context's start.
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(call("GET", base + "/readyz").statusCode()).as(base).isEqualTo(200));
        }
        HttpResponse<String> metrics = call("GET", management + "/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("# TYPE jvm_memory_used_bytes gauge");
        assertThat(call("GET", local + "/metrics").statusCode()).isEqualTo(404);
    }
}
