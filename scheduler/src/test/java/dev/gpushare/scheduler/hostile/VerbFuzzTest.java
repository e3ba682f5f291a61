package dev.gpushare.scheduler.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.gpushare.scheduler.embedded.EmbeddedClusterSeeder;
import dev.gpushare.scheduler.support.SchedulerSpringTest;
import dev.gpushare.scheduler.support.TestObjects;
import dev.gpushare.scheduler.support.TrustAll;
import dev.gpushare.scheduler.listener.ExtenderListener;
import dev.gpushare.testkit.KubeFixtures;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Seeded fuzzing of {@code /filter}, {@code /bind} and {@code /webhook} over their real listeners: never a 5xx,
 * always the verb's own answer shape, a bounded answer in bounded time, no ERROR or stack trace in the log, and the
 * cluster unchanged afterwards (every request is invalid or about pods and nodes that do not exist). A failure
 * names its seed; {@code -Dfuzz.seed=<seed> -Dfuzz.cases=<n>} repeats or lengthens a run.
 */
@SchedulerSpringTest
class VerbFuzzTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final long SEED = Long.getLong("fuzz.seed", 20261201L);
    private static final int CASES = Integer.getInteger("fuzz.cases", 2000);
    private static final int MAX_ANSWER = 16 * 1024;

    @Autowired
    KubernetesClient client;
    @Autowired
    ExtenderListener extender;
    @LocalServerPort
    int webhookPort;

    private final HttpClient http = HttpClient.newBuilder().sslContext(TrustAll.context())
            .sslParameters(TrustAll.withoutHostnameCheck()).version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private static JsonNode fixture(String name) {
        return JSON.readTree(KubeFixtures.bytes(name));
    }

    private Map<String, String> versions() {
        Map<String, String> versions = new TreeMap<>();
        Stream.concat(client.nodes().list().getItems().stream(), client.pods().inAnyNamespace().list().getItems()
                .stream()).forEach((HasMetadata o) -> versions.put(o.getKind() + " " + o.getMetadata().getNamespace()
                + "/" + o.getMetadata().getName(), o.getMetadata().getResourceVersion()));
        return versions;
    }

    @Test
    void fuzzedRequestsNeverBreakAnythingOrChangeTheCluster() throws Exception {
        String node = TestObjects.unique("fuzz-node");
        client.nodes().resource(EmbeddedClusterSeeder.gpuNode(node, 2, "NVIDIA T4", 15360, 4)).create();
        TestObjects.create(client, TestObjects.gpuPod("fuzz", TestObjects.unique("bystander"), 1, 1000, 10));
        Map<String, String> before = versions();
        VerbFuzzer fuzzer = new VerbFuzzer(SEED, List.of(fixture("filter-1.json"), fixture("filter-2.json")),
                List.of(fixture("bind-1.json"), fixture("bind-2.json")), List.of(fixture("admission-1.json")));
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        root.addAppender(log);
        long slowestNanos = 0;
        try {
            for (int i = 0; i < CASES; i++) {
                VerbFuzzer.Case c = fuzzer.next();
                long start = System.nanoTime();
                HttpResponse<String> answer = send(c);
                slowestNanos = Math.max(slowestNanos, System.nanoTime() - start);
                String where = "seed " + SEED + " case " + i + " " + c.verb() + ": ";
                assertThat(answer.statusCode()).as(where + answer.body()).isLessThan(500);
                assertThat(answer.body().length()).as(where + "answer size").isLessThanOrEqualTo(MAX_ANSWER);
                JsonNode json = JSON.readTree(answer.body());
                if (c.verb() == VerbFuzzer.Verb.WEBHOOK) {
                    assertThat(answer.statusCode()).as(where + answer.body()).isIn(200, 400, 413);
                    assertThat(json.path("kind").asString()).as(where).isIn("AdmissionReview", "Status");
                } else {
                    assertThat(answer.statusCode()).as(where + answer.body()).isEqualTo(200);
                    assertThat(json.has("Error")).as(where + answer.body()).isTrue();
                }
            }
        } finally {
            root.detachAppender(log);
        }
        System.out.printf("fuzz: %d cases, seed %d, slowest answer %d ms%n", CASES, SEED, slowestNanos / 1_000_000);
        assertThat(log.list).as("log lines at ERROR or with a stack trace").noneMatch(event ->
                event.getLevel().isGreaterOrEqual(Level.ERROR) || event.getThrowableProxy() != null);
        assertThat(log.list).as("log lines that a request value split").noneMatch(event ->
                event.getFormattedMessage().contains("\n"));
        assertThat(versions()).isEqualTo(before);
    }

    private HttpResponse<String> send(VerbFuzzer.Case c) throws Exception {
        String url = switch (c.verb()) {
            case FILTER -> "http://127.0.0.1:" + extender.port() + "/filter";
            case BIND -> "http://127.0.0.1:" + extender.port() + "/bind";
            case WEBHOOK -> "https://127.0.0.1:" + webhookPort + "/webhook";
        };
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(c.body()))
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
