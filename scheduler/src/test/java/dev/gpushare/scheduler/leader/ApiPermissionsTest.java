package dev.gpushare.scheduler.leader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gpushare.scheduler.embedded.EmbeddedClusterSeeder;
import dev.gpushare.scheduler.support.TestObjects;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The RBAC of our container is exactly what its code calls. One replica runs as the chart runs it ({@code follow}
 * on the kube-scheduler's Lease, {@code always} readiness, its own pod in its namespace) and schedules, binds and
 * reports; every request it sends to the API is turned into the RBAC verb the API server would check. Each of them
 * must be granted by the install guide's RBAC table (which the chart's tests hold equal to the rendered roles), and
 * each verb the table grants our container must be one it used.
 */
class ApiPermissionsTest {

    private static final String SYSTEM = "hami-rbac";
    private static final String TEAM = "team-rbac";
    private static final String NODE = "rbac-node";
    /** The test's own requests (setting the cluster up) carry this user agent and are not counted. */
    private static final String TEST_AGENT = "api-permissions-test";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Path INSTALL = Path.of("..", "docs", "install.md");
    /** {@code | role | apiGroup | resource | resourceNames | verb | why |} rows of our container's roles. */
    private static final Pattern ROW = Pattern.compile(
            "(?m)^\\| (?:Cluster)?Role hami-scheduler \\|([^|]*)\\|([^|]*)\\|([^|]*)\\|([^|]*)\\|([^|]*)\\|$");
    private static final Pattern PATH = Pattern.compile(
            "^/(?:api/v1|apis/([^/]+)/[^/]+)(?:/namespaces/[^/]+)?/([^/]+)(?:/([^/]+)(?:/([^/]+))?)?$");

    @Test
    void everyRequestIsGrantedAndEveryGrantIsUsed() throws IOException {
        Set<String> granted = granted();
        Set<String> used = new ConcurrentSkipListSet<>();
        Set<String> unmapped = new ConcurrentSkipListSet<>();
        try (SharedApi api = SharedApi.start();
             KubernetesClient test = new KubernetesClientBuilder().withConfig(new io.fabric8.kubernetes.client
                     .ConfigBuilder(io.fabric8.kubernetes.client.Config.autoConfigure(null))
                     .withUserAgent(TEST_AGENT).build()).build()) {
            api.dispatcher.observe(request -> {
                if (!TEST_AGENT.equals(request.getHeader("User-Agent"))) {
                    verb(request).ifPresentOrElse(used::add, () -> unmapped.add(request.getMethod() + " "
                            + request.getPath()));
                }
            });
            test.pods().inNamespace(SYSTEM).resource(pod("sched-r")).create();
            try (SchedulerReplica replica = SchedulerReplica.start("sched-r", SYSTEM,
                    "hami.leader-election.mode=follow", "hami.readiness.mode=always")) {
                takeLease(test, "sched-r");
                await().atMost(WAIT).until(replica::serving);
                test.resourceQuotas().inNamespace(TEAM).resource(new ResourceQuotaBuilder().withNewMetadata()
                        .withName("gpu").withNamespace(TEAM).endMetadata().withNewSpec()
                        .addToHard("limits.nvidia.com/gpumem", new Quantity("100000")).endSpec().build()).create();
                test.nodes().resource(EmbeddedClusterSeeder.gpuNode(NODE, 1, "NVIDIA A100-SXM4-40GB", 40960, 10))
                        .create();

                Pod fits = TestObjects.create(test, TestObjects.gpuPod(TEAM, "fits", 1, 1000, 10));
                await().atMost(WAIT).untilAsserted(() -> assertThat(replica.extender.filter(fits, List.of(NODE))
                        .path("NodeNames").toString()).isEqualTo("[\"" + NODE + "\"]"));
                assertThat(replica.extender.bind(fits, NODE).toString()).isEqualTo("{\"Error\":\"\"}");

                // The same refusal twice: the second bumps the first Event's count instead of writing a new one.
                Pod tooBig = TestObjects.create(test, TestObjects.gpuPod(TEAM, "too-big", 1, 80000, null));
                JsonNode refused = replica.extender.filter(tooBig, List.of(NODE));
                assertThat(refused.path("NodeNames").isEmpty()).as(refused.toString()).isTrue();
                await().atMost(WAIT).until(() -> !test.v1().events().inNamespace(TEAM).list().getItems().isEmpty());
                replica.extender.filter(tooBig, List.of(NODE));

                await().atMost(WAIT).untilAsserted(() -> assertThat(used).containsAll(granted));
            }
        }
        assertThat(unmapped).as("requests that are not API resources").isEmpty();
        assertThat(granted).as("every request our container made is granted").containsAll(used);
    }

    /** What the install guide's table grants our container (the sidecar's rows, on its Lease, aside). */
    private static Set<String> granted() throws IOException {
        Matcher row = ROW.matcher(Files.readString(INSTALL, StandardCharsets.UTF_8));
        Set<String> granted = new TreeSet<>();
        while (row.find()) {
            String why = row.group(5).strip();
            if (why.startsWith("kube-scheduler ")) {
                continue;
            }
            String group = row.group(1).strip().equals("core") ? "" : row.group(1).strip();
            granted.add(group + " " + row.group(2).strip() + " " + row.group(4).strip());
        }
        assertThat(granted).as("install.md's RBAC table").hasSizeGreaterThan(5);
        return granted;
    }

    /** The verb the API server's RBAC checks for a request: {@code <group> <resource>[/<subresource>] <verb>}. */
    static Optional<String> verb(RecordedRequest request) {
        String target = request.getPath();
        int query = target.indexOf('?');
        String path = query < 0 ? target : target.substring(0, query);
        Set<String> parameters = query < 0 ? Set.of() : Set.of(target.substring(query + 1).split("&"));
        Matcher m = PATH.matcher(path);
        if (!m.matches()) {
            return Optional.empty();
        }
        String group = m.group(1) == null ? "" : m.group(1);
        String resource = m.group(2) + (m.group(4) == null ? "" : "/" + m.group(4));
        boolean named = m.group(3) != null;
        String verb = switch (request.getMethod()) {
            case "GET" -> named ? "get" : parameters.contains("watch=true") ? "watch" : "list";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> named ? "delete" : "deletecollection";
            default -> null;
        };
        return verb == null ? Optional.empty() : Optional.of(group + " " + resource + " " + verb);
    }

    private static void takeLease(KubernetesClient client, String holder) {
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        client.leases().inNamespace(SYSTEM).resource(new LeaseBuilder().withNewMetadata().withNamespace(SYSTEM)
                .withName("hami-scheduler").endMetadata().withNewSpec().withHolderIdentity(holder + "_x")
                .withLeaseDurationSeconds(60).withAcquireTime(now).withRenewTime(now).endSpec().build()).create();
    }

    private static Pod pod(String name) {
        return new PodBuilder().withNewMetadata().withNamespace(SYSTEM).withName(name)
                .addToLabels("app.kubernetes.io/component", "hami-scheduler").endMetadata().withNewSpec()
                .addNewContainer().withName("main").withImage("x").endContainer().endSpec().build();
    }
}
