package dev.gpushare.scheduler.extender;

import static dev.gpushare.scheduler.support.TestObjects.annotations;
import static dev.gpushare.scheduler.support.TestObjects.create;
import static dev.gpushare.scheduler.support.TestObjects.get;
import static dev.gpushare.scheduler.support.TestObjects.gpuPod;
import static dev.gpushare.scheduler.support.TestObjects.nodeLock;
import static dev.gpushare.scheduler.support.TestObjects.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.scheduler.embedded.EmbeddedClusterSeeder;
import dev.gpushare.scheduler.state.ClusterState;
import dev.gpushare.scheduler.state.PodEntry;
import dev.gpushare.scheduler.support.ExtenderClient;
import dev.gpushare.scheduler.support.SchedulerSpringTest;
import dev.gpushare.scheduler.embedded.TestApiServerDispatcher;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import dev.gpushare.testkit.KubeFixtures;
import dev.gpushare.scheduler.support.LedgerEntries;

/** {@code /filter} then {@code /bind} over HTTP on the real listener against the embedded API. */
@SchedulerSpringTest
class FilterBindEndToEndTest {

    private static final String MODEL = "NVIDIA A100-SXM4-40GB";

    @Autowired
    KubernetesClient client;
    @Autowired
    ExtenderClient extender;
    @Autowired
    ClusterState state;
    @Autowired
    TestApiServerDispatcher api;

    private String gpuNode(String name, int gpus, int memory) {
        client.nodes().resource(EmbeddedClusterSeeder.gpuNode(name, gpus, MODEL, memory, 10)).create();
        await().atMost(Duration.ofSeconds(10)).until(() -> state.snapshotOf(name) != null);
        return name;
    }

    private static String gpu(String node, int index, int gpus, int memory) {
        return EmbeddedClusterSeeder.devices(node, gpus, MODEL, memory, 10).get(index).id();
    }

    @Test
    void filterThenBindLeavesHamisAnnotationsAndTheDevicePluginFinishes() {
        String node = gpuNode(unique("e2e"), 2, 40960);
        Pod pod = create(client, gpuPod("e2e", unique("pod"), 1, 3000, 30));
        long before = Instant.now().getEpochSecond();

        JsonNode filtered = extender.filter(pod, List.of(node, "no-such-node"));

        assertThat(filtered.toString()).isEqualTo("{\"Nodes\":null,\"NodeNames\":[\"" + node
                + "\"],\"FailedNodes\":null,\"FailedAndUnresolvableNodes\":null,\"Error\":\"\"}");
        // GPU policy spread on an idle node: of equal GPUs, HAMi takes the last registered.
        String allocation = gpu(node, 1, 2, 40960) + ",NVIDIA,3000,30:;";
        // Written behind the answer, annotations only (a label would make kube-scheduler filter the pod again).
        await().atMost(Duration.ofSeconds(10)).until(() -> annotations(client, pod).containsKey(HamiKeys.VGPU_NODE));
        Map<String, String> annotations = annotations(client, pod);
        assertThat(annotations).containsEntry(HamiKeys.VGPU_NODE, node)
                .containsEntry(HamiKeys.DEVICES_TO_ALLOCATE, allocation)
                .containsEntry(HamiKeys.DEVICES_ALLOCATED, allocation);
        assertThat(Long.parseLong(annotations.get(HamiKeys.VGPU_TIME)))
                .isBetween(before, Instant.now().getEpochSecond());
        assertThat(get(client, pod).getMetadata().getLabels()).doesNotContainKey(HamiKeys.VGPU_NODE);
        assertThat(LedgerEntries.of(state, pod.getMetadata().getUid())).get().satisfies(entry -> {
            assertThat(entry.node()).isEqualTo(node);
            assertThat(entry.bound()).isFalse();
        });

        List<String> locks = new CopyOnWriteArrayList<>();
        try (Watch watch = client.nodes().withName(node).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Node changed) {
                locks.add(String.valueOf(changed.getMetadata().getAnnotations().get(HamiKeys.NODE_LOCK)));
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        })) {
            JsonNode bound = extender.bind(pod, node);

            assertThat(bound.toString()).isEqualTo("{\"Error\":\"\"}");
            // The bind leaves its lock for the device plugin, which removes it when it is done.
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(locks).anySatisfy(lock -> assertThat(lock).matches(
                        "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ,e2e," + pod.getMetadata().getName()));
                assertThat(locks).last().isEqualTo("null");
            });
        }
        Pod after = get(client, pod);
        assertThat(after.getSpec().getNodeName()).isEqualTo(node);
        assertThat(after.getMetadata().getLabels()).containsEntry(HamiKeys.VGPU_NODE, node);
        assertThat(Long.parseLong(after.getMetadata().getAnnotations().get(HamiKeys.BIND_TIME)))
                .isBetween(before, Instant.now().getEpochSecond());
        // The emulated device plugin consumes the segment, reports success and releases the lock.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(annotations(client, pod)).containsEntry(HamiKeys.BIND_PHASE, "success")
                    .containsEntry(HamiKeys.DEVICES_TO_ALLOCATE, ";")
                    .containsEntry(HamiKeys.DEVICES_ALLOCATED, allocation);
            assertThat(nodeLock(client, node)).isNull();
            assertThat(LedgerEntries.of(state, pod.getMetadata().getUid())).get().extracting(PodEntry::bound).isEqualTo(true);
        });
    }

    @Test
    void noReaderEverSeesABoundPodWithoutItsAllocation() throws Exception {
        String node = gpuNode(unique("e2e"), 2, 40960);
        List<Pod> seen = new CopyOnWriteArrayList<>();
        List<Pod> pods = new ArrayList<>();
        try (Watch watch = client.pods().inNamespace("order").watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Pod changed) {
                seen.add(changed);
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        })) {
            for (int i = 0; i < 8; i++) {
                Pod pod = create(client, gpuPod("order", unique("pod"), 1, 1000, 10));
                pods.add(pod);
                // The bind right behind the filter's answer, as kube-scheduler sends it: it waits for the write.
                assertThat(extender.filter(pod, List.of(node)).get("NodeNames").toString())
                        .isEqualTo("[\"" + node + "\"]");
                assertThat(extender.bind(pod, node).toString()).isEqualTo("{\"Error\":\"\"}");
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> pods.stream().allMatch(p -> "success"
                    .equals(annotations(client, p).get(HamiKeys.BIND_PHASE))));
        }
        List<Pod> bound = seen.stream().filter(p -> node.equals(p.getSpec().getNodeName())).toList();
        assertThat(bound).hasSizeGreaterThanOrEqualTo(pods.size()).allSatisfy(p ->
                assertThat(p.getMetadata().getAnnotations()).as("pod %s", p.getMetadata().getName())
                        .containsEntry(HamiKeys.VGPU_NODE, node).containsKey(HamiKeys.DEVICES_ALLOCATED)
                        .containsKey(HamiKeys.BIND_TIME));
    }

    @Test
    void capturedKubeSchedulerRequestsWorkAsTheyAre() throws IOException {
        // Node names and pod UIDs are those of the captured requests.
        gpuNode("lab-node-1", 1, 15360);
        gpuNode("lab-node-2", 2, 15360);
        createFixturePod("filter-1.json");
        createFixturePod("filter-2.json");

        JsonNode first = ExtenderClient.json(extender.post("/filter", fixture("filter-1.json")));
        assertThat(first.get("NodeNames").toString()).isEqualTo("[\"lab-node-1\"]");
        assertThat(first.get("Error").asString()).isEmpty();
        assertThat(ExtenderClient.json(extender.post("/bind", fixture("bind-1.json"))).toString())
                .isEqualTo("{\"Error\":\"\"}");

        // gpu-pod took 3000 MiB of lab-node-1's only GPU; wh-pod wants a whole GPU's memory.
        JsonNode second = ExtenderClient.json(extender.post("/filter", fixture("filter-2.json")));
        assertThat(second.get("NodeNames").toString()).isEqualTo("[\"lab-node-2\"]");
        assertThat(ExtenderClient.json(extender.post("/bind", fixture("bind-2.json"))).toString())
                .isEqualTo("{\"Error\":\"\"}");

        Pod gpuPod = client.pods().inNamespace("default").withName("gpu-pod").get();
        Pod whPod = client.pods().inNamespace("whtest").withName("wh-pod").get();
        assertThat(gpuPod.getSpec().getNodeName()).isEqualTo("lab-node-1");
        assertThat(gpuPod.getMetadata().getAnnotations()).containsEntry(HamiKeys.DEVICES_ALLOCATED,
                gpu("lab-node-1", 0, 1, 15360) + ",NVIDIA,3000,30:;");
        assertThat(whPod.getSpec().getNodeName()).isEqualTo("lab-node-2");
        assertThat(whPod.getMetadata().getAnnotations()).containsEntry(HamiKeys.DEVICES_ALLOCATED,
                gpu("lab-node-2", 1, 2, 15360) + ",NVIDIA,15360,0:;");
    }

    private void createFixturePod(String file) throws IOException {
        Pod pod = Serialization.unmarshal(JsonMapper.builder().build().readTree(fixture(file)).get("Pod").toString(),
                Pod.class);
        api.pinUid(pod.getMetadata().getNamespace(), pod.getMetadata().getName(), pod.getMetadata().getUid());
        pod.getMetadata().setResourceVersion(null);
        create(client, pod);
    }

    private static byte[] fixture(String file) {
        return KubeFixtures.bytes(file);
    }
}
