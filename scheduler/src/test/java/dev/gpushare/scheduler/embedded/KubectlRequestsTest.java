package dev.gpushare.scheduler.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gpushare.testkit.ManualClock;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * kubectl's requests, as {@code kubectl -v=8} shows them (paths, query strings, {@code Accept} and
 * {@code Content-Type} headers), answered by the embedded API: discovery, server-side tables, field selectors, the
 * strategic merge patch of {@code apply}, the webhook call on create, the condition set by a Binding, watches over
 * plain HTTP.
 */
class KubectlRequestsTest {

    private static final String TABLE_ACCEPT = "application/json;as=Table;v=v1;g=meta.k8s.io,"
            + "application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

    /** Ages in tables are computed with this clock (the mock server stamps creation times with the real one). */
    private final ManualClock clock = new ManualClock(Instant.now());
    private final KubectlDispatcher dispatcher = new KubectlDispatcher(new ApiServerDispatcher(), clock);
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private EmbeddedApiServer api;
    private KubernetesClient client;

    @BeforeEach
    void start() {
        api = EmbeddedApiServer.start(dispatcher, 0);
        client = api.newClient();
    }

    @AfterEach
    void stop() {
        client.close();
        api.close();
    }

    @Test
    void discoveryDocumentsNameTheKindsWeServe() throws Exception {
        JsonNode versions = json(get("/api?timeout=32s", "application/json").body());
        assertThat(versions.get("kind").asString()).isEqualTo("APIVersions");
        assertThat(versions.get("versions").toString()).isEqualTo("[\"v1\"]");

        JsonNode groups = json(get("/apis?timeout=32s", "application/json;g=apidiscovery.k8s.io;v=v2;"
                + "as=APIGroupDiscoveryList,application/json").body());
        assertThat(groups.get("kind").asString()).isEqualTo("APIGroupList");
        List<String> groupVersions = new ArrayList<>();
        groups.get("groups").forEach(g -> groupVersions.add(g.get("preferredVersion").get("groupVersion")
                .asString()));
        assertThat(groupVersions).containsExactly("coordination.k8s.io/v1", "apps/v1",
                "admissionregistration.k8s.io/v1");

        JsonNode core = json(get("/api/v1?timeout=32s", "application/json").body());
        assertThat(core.get("kind").asString()).isEqualTo("APIResourceList");
        List<String> names = new ArrayList<>();
        core.get("resources").forEach(r -> names.add(r.get("name").asString()));
        assertThat(names).containsExactly("namespaces", "nodes", "pods", "pods/binding", "pods/status", "events",
                "resourcequotas", "secrets");
        JsonNode pods = core.get("resources").get(2);
        assertThat(pods.get("namespaced").asBoolean()).isTrue();
        assertThat(pods.get("kind").asString()).isEqualTo("Pod");
        assertThat(pods.get("shortNames").toString()).isEqualTo("[\"po\"]");
        assertThat(pods.get("verbs").toString()).isEqualTo(
                "[\"create\",\"delete\",\"deletecollection\",\"get\",\"list\",\"patch\",\"update\",\"watch\"]");

        assertThat(json(get("/apis/coordination.k8s.io/v1", "application/json").body()).get("resources").get(0)
                .get("name").asString()).isEqualTo("leases");
        JsonNode apps = json(get("/apis/apps/v1", "application/json").body());
        assertThat(apps.get("groupVersion").asString()).isEqualTo("apps/v1");
        List<String> appsNames = new ArrayList<>();
        apps.get("resources").forEach(r -> appsNames.add(r.get("name").asString()));
        assertThat(appsNames).containsExactly("daemonsets", "daemonsets/status", "deployments", "deployments/status");
        assertThat(json(get("/apis/apps", "application/json").body()).get("kind").asString()).isEqualTo("APIGroup");
        JsonNode webhooks = json(get("/apis/admissionregistration.k8s.io/v1", "application/json").body())
                .get("resources").get(0);
        assertThat(webhooks.get("name").asString()).isEqualTo("mutatingwebhookconfigurations");
        assertThat(webhooks.get("namespaced").asBoolean()).isFalse();
        assertThat(json(get("/version?timeout=32s", "application/json").body()).get("gitVersion").asString())
                .isEqualTo("v1.31.0+gpushare-embedded");
    }

    @Test
    void anEmptyOpenApiDocumentLetsApplySkipClientSideValidation() throws Exception {
        HttpResponse<String> v2 = get("/openapi/v2?timeout=32s", "application/com.github.proto-openapi.spec.v2"
                + "@v1.0+protobuf");
        assertThat(v2.statusCode()).isEqualTo(200);
        assertThat(v2.body()).isEmpty();
        assertThat(get("/openapi/v3?timeout=32s", "application/json").statusCode()).isEqualTo(404);
    }

    @Test
    void listsAreTablesWhenKubectlAsksForThemWithTheApiServersColumns() throws Exception {
        client.nodes().resource(EmbeddedClusterSeeder.gpuNode("gpu-b", 1, "NVIDIA A100-SXM4-40GB", 40960, 10))
                .create();
        client.nodes().resource(EmbeddedClusterSeeder.gpuNode("gpu-a", 1, "NVIDIA A100-SXM4-40GB", 40960, 10))
                .create();
        clock.advance(java.time.Duration.ofSeconds(3));

        JsonNode table = json(get("/api/v1/nodes?limit=500", TABLE_ACCEPT).body());

        assertThat(table.get("kind").asString()).isEqualTo("Table");
        assertThat(table.get("apiVersion").asString()).isEqualTo("meta.k8s.io/v1");
        List<String> columns = new ArrayList<>();
        table.get("columnDefinitions").forEach(c -> columns.add(c.get("name").asString() + "/"
                + c.get("priority").asInt()));
        assertThat(columns).containsExactly("Name/0", "Status/0", "Roles/0", "Age/0", "Version/0", "Internal-IP/1",
                "External-IP/1", "OS-Image/1", "Kernel-Version/1", "Container-Runtime/1");
        assertThat(table.get("rows").get(0).get("cells").get(0).asString()).isEqualTo("gpu-a");
        assertThat(table.get("rows").get(0).get("cells").get(1).asString()).isEqualTo("Ready");
        assertThat(table.get("rows").get(1).get("cells").get(0).asString()).isEqualTo("gpu-b");
        assertThat(table.get("rows").get(0).get("object").get("kind").asString())
                .isEqualTo("PartialObjectMetadata");
        assertThat(table.get("rows").get(0).get("object").get("metadata").get("name").asString()).isEqualTo("gpu-a");

        JsonNode plain = json(get("/api/v1/nodes", "application/json").body());
        assertThat(plain.get("kind").asString()).as("Go clients decode typed lists only").isEqualTo("NodeList");
    }

    @Test
    void podRowsShowReadinessStatusAndNodeForWideOutput() throws Exception {
        Pod created = client.pods().inNamespace("default").resource(TestPods.gpuPod("web", 1000)).create();
        clock.set(Instant.parse(created.getMetadata().getCreationTimestamp()).plusSeconds(272));
        JsonNode row = json(get("/api/v1/namespaces/default/pods?limit=500", TABLE_ACCEPT).body()).get("rows")
                .get(0);
        List<String> cells = new ArrayList<>();
        row.get("cells").forEach(c -> cells.add(c.asString()));
        assertThat(cells).containsExactly("web", "0/1", "Pending", "0", "4m32s", "<none>", "<none>", "<none>",
                "<none>");
    }

    @Test
    void eventsOfOnePodAreFoundByTheFieldSelectorOfDescribe() throws Exception {
        for (String pod : List.of("web", "db")) {
            client.v1().events().inNamespace("default").resource(new EventBuilder().withNewMetadata()
                    .withName(pod + ".1").endMetadata().withNewInvolvedObject().withKind("Pod").withName(pod)
                    .withNamespace("default").withUid("uid-" + pod).endInvolvedObject().withReason("FailedScheduling")
                    .withMessage("no node for " + pod).build()).create();
        }

        JsonNode events = json(get("/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dweb%2C"
                + "involvedObject.namespace%3Ddefault%2CinvolvedObject.uid%3Duid-web&limit=500", "application/json")
                .body());

        assertThat(events.get("kind").asString()).isEqualTo("EventList");
        assertThat(events.get("items")).hasSize(1);
        assertThat(events.get("items").get(0).get("message").asString()).isEqualTo("no node for web");
        assertThat(json(get("/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%21%3Dweb",
                "application/json").body()).get("items").get(0).get("message").asString())
                .isEqualTo("no node for db");
        HttpResponse<String> bad = get("/api/v1/namespaces/default/events?fieldSelector=involvedObject.name",
                "application/json");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(json(bad.body()).get("message").asString()).isEqualTo("invalid field selector term"
                + " \"involvedObject.name\": expected <field>=<value>, <field>==<value> or <field>!=<value>");
    }

    @Test
    void aCreatedPodIsDefaultedThenAdmittedAndADenialIsTheApiServersAnswer() throws Exception {
        List<ObjectNode> reviewed = new ArrayList<>();
        dispatcher.admitPodsWith(pod -> {
            reviewed.add(pod);
            if (pod.path("metadata").path("name").asString().equals("denied")) {
                return new PodAdmission.Verdict.Denied("nvidia.com/gpucores: must be at most 100, got 200");
            }
            ObjectNode mutated = pod.deepCopy();
            ((ObjectNode) mutated.get("spec")).put("schedulerName", "hami-scheduler");
            return new PodAdmission.Verdict.Allowed(mutated);
        });

        HttpResponse<String> created = post("/api/v1/namespaces/team/pods?fieldManager=kubectl-client-side-apply"
                + "&fieldValidation=Strict", Serialization.asJson(TestPods.gpuPod("admitted", 1000)));
        HttpResponse<String> denied = post("/api/v1/namespaces/team/pods",
                Serialization.asJson(TestPods.gpuPod("denied", 1000)));

        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(reviewed.get(0).get("metadata").get("namespace").asString()).isEqualTo("team");
        assertThat(reviewed.get(0).get("spec").get("schedulerName").asString()).isEqualTo("default-scheduler");
        Pod stored = client.pods().inNamespace("team").withName("admitted").get();
        assertThat(stored.getSpec().getSchedulerName()).isEqualTo("hami-scheduler");
        assertThat(stored.getStatus().getPhase()).isEqualTo("Pending");
        assertThat(denied.statusCode()).isEqualTo(400);
        assertThat(json(denied.body()).get("message").asString()).isEqualTo("admission webhook \"vgpu.hami.io\""
                + " denied the request: nvidia.com/gpucores: must be at most 100, got 200");
        assertThat(client.pods().inNamespace("team").withName("denied").get()).isNull();
    }

    @Test
    void applysStrategicMergePatchChangesLabelsAndMergesContainersByName() throws Exception {
        client.pods().inNamespace("default").resource(TestPods.gpuPod("web", 1000)).create();
        String patch = "{\"metadata\":{\"annotations\":{\"kubectl.kubernetes.io/last-applied-configuration\":"
                + "\"{}\"},\"labels\":{\"team\":\"a\"}},\"spec\":{\"$setElementOrder/containers\":[{\"name\":"
                + "\"cuda\"}],\"containers\":[{\"name\":\"cuda\",\"image\":\"cuda:12\"}]}}";

        HttpResponse<String> patched = send(HttpRequest.newBuilder(uri("/api/v1/namespaces/default/pods/web"
                        + "?fieldManager=kubectl-client-side-apply&fieldValidation=Strict"))
                .header("Content-Type", "application/strategic-merge-patch+json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(patch)));

        assertThat(patched.statusCode() / 100).as("HTTP %s", patched.statusCode()).isEqualTo(2);
        Pod pod = client.pods().inNamespace("default").withName("web").get();
        assertThat(pod.getMetadata().getLabels()).containsEntry("team", "a");
        assertThat(pod.getSpec().getContainers()).hasSize(1);
        assertThat(pod.getSpec().getContainers().get(0).getImage()).isEqualTo("cuda:12");
        assertThat(pod.getSpec().getContainers().get(0).getResources().getLimits()).containsKey("nvidia.com/gpumem");
    }

    @Test
    void aBindingSetsPodScheduledTrue() throws Exception {
        client.pods().inNamespace("default").resource(TestPods.gpuPod("web", 1000)).create();

        HttpResponse<String> bound = post("/api/v1/namespaces/default/pods/web/binding",
                "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\"web\"},"
                        + "\"target\":{\"kind\":\"Node\",\"name\":\"gpu-a\"}}");

        assertThat(bound.statusCode()).isEqualTo(201);
        Pod pod = client.pods().inNamespace("default").withName("web").get();
        assertThat(pod.getSpec().getNodeName()).isEqualTo("gpu-a");
        assertThat(pod.getStatus().getConditions()).extracting(PodCondition::getType, PodCondition::getStatus)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("PodScheduled", "True"));
    }

    private HttpResponse<String> get(String path, String accept) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).header("Accept", accept).GET());
    }

    private HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + api.port() + path);
    }

    private static JsonNode json(String body) {
        return Serialization.jsonMapper().readTree(body);
    }

    /**
     * Watches over plain HTTP, as kubectl ({@code get -w}, {@code wait}, {@code rollout status}) and every Go
     * client send them: one JSON watch event per line, from the resource version the client listed, with its field
     * selector, as a server-side table when asked, ending after {@code timeoutSeconds}.
     */
    @Nested
    class Watches {

        private static final String NS = "watch";

        /** The lines of one streamed answer as they come, and how it ended. */
        private final class Watch implements AutoCloseable {

            final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
            final CompletableFuture<HttpResponse<Stream<String>>> response;
            volatile boolean ended;

            Watch(String pathAndQuery, String accept) {
                response = http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port()
                        + pathAndQuery)).header("Accept", accept).GET().build(), HttpResponse.BodyHandlers.ofLines());
                response.thenAccept(r -> CompletableFuture.runAsync(() -> {
                    r.body().forEach(lines::add);
                    ended = true;
                }));
            }

            JsonNode next() throws InterruptedException {
                String line = lines.poll(30, TimeUnit.SECONDS);
                assertThat(line).as("a watch event within 30 s").isNotNull();
                return Serialization.jsonMapper().readTree(line);
            }

            @Override
            public void close() {
                response.thenAccept(r -> r.body().close());
                response.cancel(true);
            }
        }

        private Pod pod(String name) {
            return client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName(name)
                    .endMetadata()
                    .withNewSpec().addNewContainer().withName("main").withImage("busybox").endContainer().endSpec()
                    .build()).create();
        }

        private static String summary(JsonNode event) {
            return event.get("type").asString() + " " + event.path("object").path("metadata").path("name").asString();
        }

        @Test
        void withoutAResourceVersionEveryPodIsAddedThenEachChangeFollows() throws Exception {
            pod("a");
            try (Watch watch = new Watch("/api/v1/namespaces/" + NS + "/pods?watch=true", "application/json")) {
                assertThat(watch.response.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
                assertThat(watch.response.get().headers().firstValue("Content-Type")).hasValue("application/json");
                assertThat(summary(watch.next())).isEqualTo("ADDED a");
                await().atMost(Duration.ofSeconds(30)).until(() -> api.watchesStreaming() == 1);

                pod("b");
                assertThat(summary(watch.next())).isEqualTo("ADDED b");
                client.pods().inNamespace(NS).withName("a").edit(p -> new PodBuilder(p).editMetadata()
                        .addToLabels("seen", "yes").endMetadata().build());
                JsonNode modified = watch.next();
                assertThat(summary(modified)).isEqualTo("MODIFIED a");
                assertThat(modified.at("/object/metadata/labels/seen").asString()).isEqualTo("yes");
                client.pods().inNamespace(NS).withName("b").delete();
                assertThat(summary(watch.next())).isEqualTo("DELETED b");
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> api.watchesStreaming() == 0);
        }

        @Test
        void fromTheListsResourceVersionOnlyWhatChangedSinceIsSent() throws Exception {
            pod("unchanged");
            pod("changed");
            String listed = client.pods().inNamespace(NS).list().getMetadata().getResourceVersion();
            client.pods().inNamespace(NS).withName("changed").edit(p -> new PodBuilder(p).editMetadata()
                    .addToLabels("after", "list").endMetadata().build());

            try (Watch watch = new Watch("/api/v1/namespaces/" + NS + "/pods?resourceVersion=" + listed
                    + "&watch=true", "application/json")) {
                JsonNode replayed = watch.next();
                assertThat(summary(replayed)).isEqualTo("MODIFIED changed");
                assertThat(replayed.at("/object/metadata/labels/after").asString()).isEqualTo("list");
                pod("later");
                assertThat(summary(watch.next())).as("nothing about the unchanged pod in between")
                        .isEqualTo("ADDED later");
            }
        }

        @Test
        void theFieldSelectorOfKubectlWaitNarrowsTheWatchToOnePod() throws Exception {
            pod("other");
            pod("waited");
            try (Watch watch = new Watch("/api/v1/namespaces/" + NS + "/pods?fieldSelector=metadata.name%3Dwaited"
                    + "&watch=true", "application/json")) {
                assertThat(summary(watch.next())).isEqualTo("ADDED waited");
                await().atMost(Duration.ofSeconds(30)).until(() -> api.watchesStreaming() == 1);
                client.pods().inNamespace(NS).withName("other").edit(p -> new PodBuilder(p).editMetadata()
                        .addToLabels("x", "1").endMetadata().build());
                client.pods().inNamespace(NS).withName("waited").edit(p -> new PodBuilder(p).editMetadata()
                        .addToLabels("x", "1").endMetadata().build());
                assertThat(summary(watch.next())).isEqualTo("MODIFIED waited");
            }
        }

        @Test
        void kubectlGetWatchGetsEachChangeAsATableRow() throws Exception {
            pod("row");
            try (Watch watch = new Watch("/api/v1/namespaces/" + NS + "/pods?watch=true", TABLE_ACCEPT)) {
                JsonNode event = watch.next();
                assertThat(event.get("type").asString()).isEqualTo("ADDED");
                assertThat(event.at("/object/kind").asString()).isEqualTo("Table");
                assertThat(event.at("/object/columnDefinitions/0/name").asString()).isEqualTo("Name");
                assertThat(event.at("/object/rows").size()).isEqualTo(1);
                assertThat(event.at("/object/rows/0/cells/0").asString()).isEqualTo("row");
            }
        }

        @Test
        void theStreamEndsAfterItsTimeoutSeconds() throws Exception {
            try (Watch watch = new Watch("/api/v1/nodes?timeoutSeconds=1&watch=true", "application/json")) {
                assertThat(watch.response.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
                await().atMost(Duration.ofSeconds(30)).until(() -> watch.ended);
                assertThat(watch.lines).isEmpty();
            }
            assertThat(api.watchesStreaming()).isZero();
        }

        @Test
        void aBadFieldSelectorIsABadRequestNotAStream() throws Exception {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port()
                    + "/api/v1/pods?fieldSelector=spec.nodeName&watch=true")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(Serialization.jsonMapper().readTree(response.body()).get("message").asString())
                    .isEqualTo("invalid field selector term \"spec.nodeName\": expected <field>=<value>,"
                            + " <field>==<value> or <field>!=<value>");
            assertThat(api.watchesStreaming()).isZero();
        }
    }
}
