package dev.gpushare.scheduler.extender;

import static dev.gpushare.scheduler.support.TestObjects.annotations;
import static dev.gpushare.scheduler.support.TestObjects.create;
import static dev.gpushare.scheduler.support.TestObjects.get;
import static dev.gpushare.scheduler.support.TestObjects.gpuPod;
import static dev.gpushare.scheduler.support.TestObjects.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.scheduler.embedded.EmbeddedClusterSeeder;
import dev.gpushare.scheduler.state.ClusterState;
import dev.gpushare.scheduler.support.ExtenderClient;
import dev.gpushare.scheduler.support.SchedulerSpringTest;
import dev.gpushare.scheduler.support.LedgerEntries;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** What {@code /filter} and {@code /bind} answer to every kind of request, and that bad ones change nothing. */
@SchedulerSpringTest
class ExtenderRequestsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    KubernetesClient client;
    @Autowired
    ExtenderClient extender;
    @Autowired
    ClusterState state;

    private Node gpuNode(String name, int gpus, int memory) {
        Node node = client.nodes().resource(EmbeddedClusterSeeder.gpuNode(name, gpus, "NVIDIA T4", memory, 4))
                .create();
        await().atMost(Duration.ofSeconds(10)).until(() -> state.snapshotOf(name) != null);
        return node;
    }

    @Test
    void whenNothingFitsEachNodeGetsItsOwnReasonsAndOneEventSaysWhy() {
        String small = gpuNode(unique("small"), 1, 1000).getMetadata().getName();
        String bad = unique("bad-registration");
        Node badNode = EmbeddedClusterSeeder.gpuNode(bad, 1, "NVIDIA T4", 1000, 4);
        badNode.getMetadata().getAnnotations().put(HamiKeys.NODE_NVIDIA_REGISTER, "[{\"id\":");
        client.nodes().resource(badNode).create();
        String zero = unique("no-gpus");
        Node zeroNode = EmbeddedClusterSeeder.gpuNode(zero, 1, "NVIDIA T4", 1000, 4);
        zeroNode.getStatus().getAllocatable().put("nvidia.com/gpu", new Quantity("0"));
        client.nodes().resource(zeroNode).create();
        await().atMost(Duration.ofSeconds(10)).until(() -> state.snapshotOf(bad) != null);
        Pod pod = create(client, gpuPod("unfit", unique("pod"), 1, 2000, null));

        JsonNode first = extender.filter(pod, List.of(small, bad, zero, "unknown"));
        JsonNode second = extender.filter(pod, List.of(small, bad, zero, "unknown"));

        // Preemption could free memory on the small node; nothing can fix the other three.
        String expected = "{\"Nodes\":null,\"NodeNames\":null,\"FailedNodes\":{\"" + small
                + "\":\"1/1 CardInsufficientMemory\"},\"FailedAndUnresolvableNodes\":{\"" + bad
                + "\":\"NodeRegistrationInvalid\",\"" + zero + "\":\"node unregistered\","
                + "\"unknown\":\"node unregistered\"},\"Error\":\"\"}";
        assertThat(first.toString()).isEqualTo(expected);
        assertThat(second.toString()).isEqualTo(expected);
        assertThat(annotations(client, pod)).doesNotContainKeys(HamiKeys.VGPU_NODE, HamiKeys.DEVICES_ALLOCATED);
        assertThat(LedgerEntries.of(state, get(client, pod).getMetadata().getUid())).isEmpty();
        String message = "no available node, 4 nodes do not meet; 1 nodes CardInsufficientMemory(" + small
                + "); 1 nodes NodeRegistrationInvalid(" + bad + "); 2 nodes node unregistered(" + zero
                + ",unknown)";
        // The same refusal twice is one Event counted twice, as client-go's recorder aggregates it.
        await().atMost(Duration.ofSeconds(30)).until(() -> events(pod.getMetadata().getName()).stream()
                .anyMatch(event -> event.getCount() == 2));
        assertThat(events(pod.getMetadata().getName())).singleElement().satisfies(event -> {
            assertThat(event.getType()).isEqualTo("Warning");
            assertThat(event.getReason()).isEqualTo("FilteringFailed");
            assertThat(event.getMessage()).isEqualTo(message);
            assertThat(event.getSource().getComponent()).isEqualTo("hami-scheduler");
        });
        // The bad registration was reported once on the node, not per filter.
        assertThat(events(bad)).singleElement().satisfies(event -> {
            assertThat(event.getType()).isEqualTo("Warning");
            assertThat(event.getReason()).isEqualTo("NodeRegistrationInvalid");
            assertThat(event.getInvolvedObject().getKind()).isEqualTo("Node");
            assertThat(event.getMessage()).startsWith("GPU registration cannot be decoded");
        });
    }

    @Test
    void aPlacementIsAnnouncedWithEveryFittingNodeAndItsScore() {
        String busy = gpuNode(unique("busy"), 1, 10000).getMetadata().getName();
        String idle = gpuNode(unique("idle"), 1, 10000).getMetadata().getName();
        Pod first = create(client, gpuPod("scores", unique("first"), 1, 2000, 30));
        assertThat(extender.filter(first, List.of(busy)).get("NodeNames").toString()).isEqualTo("[\"" + busy + "\"]");
        Pod second = create(client, gpuPod("scores", unique("second"), 1, 1000, 10));

        JsonNode answer = extender.filter(second, List.of(idle, busy, "unknown"));

        // Binpack (the default) takes the used node: 10 x (1/4 slots + 30/100 cores + 2000/10000 MiB) = 7.50.
        assertThat(answer.get("NodeNames").toString()).isEqualTo("[\"" + busy + "\"]");
        await().atMost(Duration.ofSeconds(10)).until(() -> !events(second.getMetadata().getName()).isEmpty());
        assertThat(events(second.getMetadata().getName())).singleElement().satisfies(event -> {
            assertThat(event.getType()).isEqualTo("Normal");
            assertThat(event.getReason()).isEqualTo("FilteringSucceed");
            assertThat(event.getMessage()).isEqualTo("find fit node(" + busy + "), 1 nodes not fit, 2 nodes fit("
                    + busy + ":7.50," + idle + ":0.00)");
        });
    }

    @Test
    void aPodWithoutGpusPassesOnEveryNode() {
        Pod pod = create(client, new PodBuilder().withNewMetadata().withName(unique("cpu")).withNamespace("cpu")
                .endMetadata().withNewSpec().addNewContainer().withName("c").withImage("i").withNewResources()
                .withLimits(Map.of("cpu", new Quantity("1"))).endResources().endContainer().endSpec().build());

        JsonNode answer = extender.filter(pod, List.of("a", "b"));

        assertThat(answer.toString()).isEqualTo("{\"Nodes\":null,\"NodeNames\":[\"a\",\"b\"],\"FailedNodes\":null,"
                + "\"FailedAndUnresolvableNodes\":null,\"Error\":\"\"}");
        assertThat(annotations(client, pod)).isEmpty();
    }

    @Test
    void anInvalidRequestIsAnErrorNamingContainerAndResource() {
        Pod pod = create(client, gpuPod("invalid", unique("pod"), 1, 1000, 150));

        JsonNode answer = extender.filter(pod, List.of("a"));

        assertThat(answer.get("Error").asString())
                .isEqualTo("invalid GPU request: container c: nvidia.com/gpucores: 150 is outside 0..100");
        assertThat(answer.get("NodeNames").isNull()).isTrue();
        assertThat(annotations(client, pod)).isEmpty();
    }

    @Test
    void aNodeListRequestGetsTheChosenNodeObjectBack() {
        Node node = gpuNode(unique("listed"), 1, 8000);
        Pod pod = create(client, gpuPod("listed", unique("pod"), 1, 1000, null));
        String body = "{\"Pod\":" + Serialization.asJson(pod) + ",\"Nodes\":{\"items\":["
                + Serialization.asJson(node) + "]},\"NodeNames\":null}";

        JsonNode answer = ExtenderClient.json(extender.post("/filter", body));

        assertThat(answer.get("Error").asString()).isEmpty();
        assertThat(answer.get("NodeNames").isNull()).isTrue();
        assertThat(answer.get("Nodes").get("items")).singleElement()
                .satisfies(item -> assertThat(item.get("metadata").get("name").asString())
                        .isEqualTo(node.getMetadata().getName()));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(annotations(client, pod))
                .containsEntry(HamiKeys.VGPU_NODE, node.getMetadata().getName()));
    }

    @Test
    void keysAreReadCaseInsensitively() {
        String node = gpuNode(unique("lowercase"), 1, 8000).getMetadata().getName();
        Pod pod = create(client, gpuPod("lower", unique("pod"), 1, 1000, null));

        JsonNode filtered = ExtenderClient.json(extender.post("/filter", "{\"pod\":" + Serialization.asJson(pod)
                + ",\"nodenames\":[\"" + node + "\"]}"));
        JsonNode bound = ExtenderClient.json(extender.post("/bind", "{\"podname\":\"" + pod.getMetadata().getName()
                + "\",\"podNamespace\":\"lower\",\"poduid\":\"" + pod.getMetadata().getUid() + "\",\"NODE\":\""
                + node + "\"}"));

        assertThat(filtered.get("NodeNames").toString()).isEqualTo("[\"" + node + "\"]");
        assertThat(bound.toString()).isEqualTo("{\"Error\":\"\"}");
        assertThat(get(client, pod).getSpec().getNodeName()).isEqualTo(node);
    }

    @Test
    void malformedOrIncompleteRequestsGetAClearErrorAndChangeNothing() {
        String node = gpuNode(unique("untouched"), 1, 8000).getMetadata().getName();
        Pod pod = create(client, gpuPod("bad", unique("pod"), 1, 1000, null));
        String resourceVersion = get(client, pod).getMetadata().getResourceVersion();

        assertThat(filterError("{\"Pod\":")).startsWith("cannot decode ExtenderArgs: ");
        assertThat(filterError("[1,2]")).isEqualTo("cannot decode ExtenderArgs: expected a JSON object");
        assertThat(filterError("{\"NodeNames\":[\"" + node + "\"]}")).isEqualTo("ExtenderArgs.Pod is missing");
        assertThat(filterError("{\"Pod\":{\"metadata\":{\"name\":\"x\"}},\"NodeNames\":[]}"))
                .isEqualTo("ExtenderArgs.Pod needs metadata.name, metadata.namespace and metadata.uid");
        assertThat(filterError("{\"Pod\":" + Serialization.asJson(pod) + "}"))
                .startsWith("ExtenderArgs has neither NodeNames nor Nodes");
        assertThat(filterError("{\"Pod\":" + Serialization.asJson(pod) + ",\"NodeNames\":[1]}"))
                .isEqualTo("ExtenderArgs.NodeNames must be an array of node names, got 1");
        assertThat(filterError("{\"Pod\":" + Serialization.asJson(pod) + ",\"NodeNames\":[\"" + node + "\"],"
                + "\"padding\":\"" + "x".repeat(300 * 1024) + "\"}"))
                .isEqualTo("request body exceeds 262144 bytes (hami.extender.max-body-bytes)");

        assertThat(bindError("not json")).startsWith("cannot decode ExtenderBindingArgs: ");
        assertThat(bindError("{\"PodName\":\"x\",\"PodNamespace\":\"bad\",\"Node\":\"" + node + "\"}"))
                .isEqualTo("ExtenderBindingArgs.PodUID is missing or not a non-empty string");
        assertThat(bindError("{\"PodName\":5,\"PodNamespace\":\"bad\",\"PodUID\":\"u\",\"Node\":\"" + node + "\"}"))
                .isEqualTo("ExtenderBindingArgs.PodName is missing or not a non-empty string");
        assertThat(bindError("{\"PodName\":\"nobody\",\"PodNamespace\":\"bad\",\"PodUID\":\"u\",\"Node\":\"" + node
                + "\"}")).isEqualTo("pod bad/nobody not found");
        assertThat(bindError("{\"PodName\":\"" + pod.getMetadata().getName() + "\",\"PodNamespace\":\"bad\","
                + "\"PodUID\":\"other-uid\",\"Node\":\"" + node + "\"}"))
                .isEqualTo("pod bad/" + pod.getMetadata().getName() + " has UID " + pod.getMetadata().getUid()
                        + ", not other-uid (it was recreated)");
        assertThat(bindError("{\"PodName\":\"" + pod.getMetadata().getName() + "\",\"PodNamespace\":\"bad\","
                + "\"PodUID\":\"" + pod.getMetadata().getUid() + "\",\"Node\":\"no-such-node\"}"))
                .isEqualTo("node no-such-node not found");
        assertThat(bindError("{\"PodName\":\"" + pod.getMetadata().getName() + "\",\"PodNamespace\":\"bad\","
                + "\"PodUID\":\"" + pod.getMetadata().getUid() + "\",\"Node\":\"" + node + "\"}"))
                .isEqualTo("pod bad/" + pod.getMetadata().getName() + " has no GPU reservation here and its"
                        + " annotations hold no placement; it must be filtered again");

        Pod after = get(client, pod);
        assertThat(after.getMetadata().getResourceVersion()).isEqualTo(resourceVersion);
        assertThat(after.getSpec().getNodeName()).isNull();
        assertThat(client.nodes().withName(node).get().getMetadata().getAnnotations())
                .doesNotContainKey(HamiKeys.NODE_LOCK);
    }

    private String filterError(String body) {
        JsonNode answer = ExtenderClient.json(extender.post("/filter", body));
        assertThat(answer.get("NodeNames").isNull()).isTrue();
        return answer.get("Error").asString();
    }

    private String bindError(String body) {
        HttpResponse<String> response = extender.post("/bind", body);
        assertThat(response.statusCode()).isEqualTo(200);
        return JSON.readTree(response.body()).get("Error").asString();
    }

    private List<Event> events(String objectName) {
        return client.v1().events().inAnyNamespace().list().getItems().stream()
                .filter(e -> objectName.equals(e.getInvolvedObject().getName())).toList();
    }
}
