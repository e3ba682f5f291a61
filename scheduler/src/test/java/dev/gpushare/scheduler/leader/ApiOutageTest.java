package dev.gpushare.scheduler.leader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gpushare.scheduler.embedded.EmbeddedClusterSeeder;
import dev.gpushare.scheduler.state.ClusterState;
import dev.gpushare.scheduler.support.TestObjects;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import tools.jackson.databind.JsonNode;

/**
 * The Kubernetes API is down when the service starts, for longer than the informers' first attempt, then comes up;
 * later it goes away while the service runs, and a bound pod is deleted meanwhile. The service recovers both times
 * without a restart: unready (saying why) while the API is away, live throughout, ready again after, and its ledger
 * no longer counts the pod deleted during the outage.
 */
@ExtendWith(OutputCaptureExtension.class)
class ApiOutageTest {

    private static final String NS = "outage";
    private static final String NODE = "outage-node";
    private static final Duration WAIT = Duration.ofSeconds(90);
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void recoversFromAnApiThatIsDownAtStartAndFromAnOutageWhileRunning(CapturedOutput output) throws Exception {
        try (SharedApi api = SharedApi.down();
             SchedulerReplica replica = SchedulerReplica.start("sched-outage", NS, "hami.leader-election.mode=none",
                     "logging.level.dev.gpushare.scheduler.health=INFO")) {
            // Down at start-up: not ready, and the body says why; live all the same.
            await().atMost(WAIT).until(() -> readyz(replica).contains("kubernetes API unreachable since"));
            // The three informers make their first attempts independently: each is listed once its own failed.
            await().atMost(WAIT).untilAsserted(() -> assertThat(json(readyz(replica))
                    .at("/components/kubernetes/details/failing").propertyNames())
                    .contains("informer nodes", "informer pods", "informer resourcequotas"));
            JsonNode down = json(readyz(replica));
            assertThat(down.at("/status").asString()).isEqualTo("DOWN");
            assertThat(down.at("/components/kubernetes/details/failing/informer pods").asString())
                    .contains("ConnectException");
            assertThat(replica.healthz()).containsExactly(200, 200);

            api.up();
            KubernetesClient client = api.client;
            {
                client.nodes().resource(EmbeddedClusterSeeder.gpuNode(NODE, 1, "NVIDIA A100", 16000, 4)).create();
                await().atMost(WAIT).until(() -> replica.readyz().equals(List.of(200, 200)));
                assertThat(json(readyz(replica)).at("/components/leadership/details/role").asString())
                        .isEqualTo("leader");

                Pod first = TestObjects.create(client, TestObjects.gpuPod(NS, "before-outage", 1, 16000, null));
                JsonNode placed = filterWhenSeen(replica, first);
                assertThat(placed.at("/NodeNames/0").asString()).isEqualTo(NODE);
                assertThat(replica.extender.bind(first, NODE).path("Error").asString("")).isEmpty();
                await().atMost(WAIT).until(() -> replica.context.getBean(ClusterState.class).entries().stream()
                        .anyMatch(entry -> entry.name().equals("before-outage") && entry.bound()));
                Pod second = TestObjects.create(client, TestObjects.gpuPod(NS, "no-room", 1, 16000, null));
                assertThat(filterWhenSeen(replica, second).at("/FailedNodes/" + NODE).asString())
                        .isEqualTo("1/1 CardInsufficientMemory");

                // An outage while running; the first pod is deleted meanwhile, unseen by the service.
                api.cut();
                await().atMost(WAIT).until(() -> readyz(replica).contains("kubernetes API unreachable since"));
                assertThat(replica.healthz()).containsExactly(200, 200);
                client.pods().inNamespace(NS).withName("before-outage").delete();
                api.up();
            }
            await().atMost(WAIT).until(() -> replica.readyz().equals(List.of(200, 200)));
            {
                // The re-list after the outage removed the deleted pod from the ledger: its GPU is free again.
                await().atMost(WAIT).until(() -> replica.context.getBean(ClusterState.class).entries().stream()
                        .noneMatch(entry -> entry.name().equals("before-outage")));
                Pod third = TestObjects.create(client, TestObjects.gpuPod(NS, "after-outage", 1, 16000, null));
                assertThat(filterWhenSeen(replica, third).at("/NodeNames/0").asString()).isEqualTo(NODE);
            }
        }
        // One line per change of state, none per retry (fabric8 retries every 1-32 s and would warn each time).
        assertThat(count(output.getOut(), "kubernetes API unreachable since")).isEqualTo(2);
        assertThat(count(output.getOut(), "kubernetes API reachable again")).isEqualTo(2);
        assertThat(output.getOut()).doesNotContain("will retry").doesNotContain("will stop")
                .doesNotContain("Exception occurred while acquiring lock");
    }

    /** {@code /filter} once the pod's informer event has arrived (a pod unknown to the store is not placed). */
    private static JsonNode filterWhenSeen(SchedulerReplica replica, Pod pod) {
        return await().atMost(WAIT).until(() -> replica.extender.filter(pod, List.of(NODE)),
                answer -> !answer.path("Error").asString("").contains("not found"));
    }

    private String readyz(SchedulerReplica replica) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + replica.managementPort()
                + "/readyz")).timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private static JsonNode json(String body) {
        return tools.jackson.databind.json.JsonMapper.builder().build().readTree(body);
    }

    private static int count(String text, String needle) {
        Matcher m = Pattern.compile(Pattern.quote(needle)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
