package dev.gpushare.scheduler.extender;

import static dev.gpushare.scheduler.support.TestObjects.annotations;
import static dev.gpushare.scheduler.support.TestObjects.create;
import static dev.gpushare.scheduler.support.TestObjects.get;
import static dev.gpushare.scheduler.support.TestObjects.gpuPod;
import static dev.gpushare.scheduler.support.TestObjects.nodeLock;
import static dev.gpushare.scheduler.support.TestObjects.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gpushare.common.annotation.AllocationCodec;
import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.common.device.ContainerDevice;
import dev.gpushare.common.device.PodAllocation;
import dev.gpushare.common.seal.PlacementTrust;
import dev.gpushare.scheduler.embedded.EmbeddedClusterSeeder;
import dev.gpushare.scheduler.kube.MergePatch;
import dev.gpushare.scheduler.state.ClusterState;
import dev.gpushare.scheduler.support.ExtenderClient;
import dev.gpushare.scheduler.support.SchedulerSpringTest;
import dev.gpushare.scheduler.support.LedgerEntries;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** Duplicated and retried binds, and binds of pods placed by another scheduler instance. */
@SchedulerSpringTest
class BindIdempotenceTest {

    @Autowired
    KubernetesClient client;
    @Autowired
    PlacementTrust trust;
    @Autowired
    ExtenderClient extender;
    @Autowired
    ClusterState state;

    private final ExecutorService threads = Executors.newFixedThreadPool(4);

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    private Node gpuNode() {
        String name = unique("idem-node");
        Node node = client.nodes().resource(EmbeddedClusterSeeder.gpuNode(name, 2, "NVIDIA T4", 15360, 4)).create();
        await().atMost(Duration.ofSeconds(10)).until(() -> state.snapshotOf(name) != null);
        return node;
    }

    private static String error(JsonNode answer) {
        return answer.get("Error").asString();
    }

    @Test
    void duplicatedConcurrentBindsAllSucceedAndTheHandOverCompletes() throws Exception {
        String node = gpuNode().getMetadata().getName();
        Pod pod = create(client, gpuPod("idem", unique("pod"), 1, 1000, 10));
        assertThat(extender.filter(pod, List.of(node)).get("NodeNames").toString()).isEqualTo("[\"" + node + "\"]");

        List<CompletableFuture<JsonNode>> binds = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            binds.add(CompletableFuture.supplyAsync(() -> extender.bind(pod, node), threads));
        }

        for (CompletableFuture<JsonNode> bind : binds) {
            assertThat(error(bind.get())).isEmpty();
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(annotations(client, pod)).containsEntry(HamiKeys.BIND_PHASE, "success");
            assertThat(nodeLock(client, node)).isNull();
        });
        assertThat(get(client, pod).getSpec().getNodeName()).isEqualTo(node);
    }

    @Test
    void aRetryAfterTheHandOverSucceedsWithoutTakingTheLockAgain() {
        String node = gpuNode().getMetadata().getName();
        Pod pod = create(client, gpuPod("idem", unique("pod"), 1, 1000, 10));
        extender.filter(pod, List.of(node));
        assertThat(error(extender.bind(pod, node))).isEmpty();
        await().atMost(Duration.ofSeconds(20)).until(() -> "success".equals(annotations(client, pod)
                .get(HamiKeys.BIND_PHASE)));
        String otherLock = "2099-01-01T00:00:00Z,idem,someone-else";
        client.nodes().withName(node).edit(n -> {
            n.getMetadata().getAnnotations().put(HamiKeys.NODE_LOCK, otherLock);
            return n;
        });

        assertThat(error(extender.bind(pod, node))).isEmpty();

        assertThat(nodeLock(client, node)).as("another pod's lock is left alone").isEqualTo(otherLock);
        assertThat(annotations(client, pod)).containsEntry(HamiKeys.BIND_PHASE, "success");
    }

    /** Writes what a previous leader's /filter wrote, {@code age} ago, without this replica reserving anything. */
    /** A placement another replica of ours wrote (sealed with the key all replicas share). */
    private Pod placedElsewhere(String node, String gpu, int memory, Duration age) {
        return placedElsewhere(node, gpu, memory, age, true);
    }

    private Pod placedElsewhere(String node, String gpu, int memory, Duration age, boolean sealed) {
        Pod pod = create(client, gpuPod("idem", unique("pod"), 1, memory, 10));
        String allocation = AllocationCodec.encode(new PodAllocation(List.of(List.of(
                new ContainerDevice(gpu, HamiKeys.NVIDIA_VENDOR, memory, 10)))));
        MergePatch.metadata()
                .annotation(HamiKeys.VGPU_NODE, node)
                .annotation(HamiKeys.VGPU_TIME, Long.toString(Instant.now().minus(age).getEpochSecond()))
                .annotation(HamiKeys.DEVICES_TO_ALLOCATE, allocation)
                .annotation(HamiKeys.DEVICES_ALLOCATED, allocation)
                .annotation(HamiKeys.PLACEMENT_SEAL, sealed
                        ? trust.seal().seal(pod.getMetadata().getUid(), node, allocation) : null)
                .label(HamiKeys.VGPU_NODE, node)
                .applyToPod(client, "idem", pod.getMetadata().getName());
        await().atMost(Duration.ofSeconds(10)).until(() -> annotations(client, pod).containsKey(HamiKeys.VGPU_NODE));
        return get(client, pod);
    }

    private String firstGpu(String node) {
        return state.snapshotOf(node).gpus().get(0).device().id();
    }

    @Test
    void aPlacementWrittenByAnotherInstanceIsVerifiedAndBound() {
        String node = gpuNode().getMetadata().getName();
        Pod pod = placedElsewhere(node, firstGpu(node), 2000, Duration.ofMinutes(10));
        assertThat(LedgerEntries.of(state, pod.getMetadata().getUid())).as("not reserved by this replica").isEmpty();

        assertThat(error(extender.bind(pod, node))).isEmpty();

        assertThat(get(client, pod).getSpec().getNodeName()).isEqualTo(node);
        assertThat(LedgerEntries.of(state, pod.getMetadata().getUid())).hasValueSatisfying(entry ->
                assertThat(entry.node()).isEqualTo(node));
    }

    @Test
    void anUnsealedPlacementIsNotTakenOverAndThePodIsFilteredAgain() {
        String node = gpuNode().getMetadata().getName();
        Pod pod = placedElsewhere(node, firstGpu(node), 2000, Duration.ofMinutes(10), false);

        assertThat(error(extender.bind(pod, node))).isEqualTo("pod idem/" + pod.getMetadata().getName()
                + " has no GPU reservation here and its placement is not taken over (allocation not counted: it"
                + " carries no gpushare.dev/placement-seal (not placed by this scheduler)); it must be filtered"
                + " again");
        assertThat(get(client, pod).getSpec().getNodeName()).isNull();
        assertThat(LedgerEntries.of(state, pod.getMetadata().getUid())).isEmpty();
        assertThat(nodeLock(client, node)).isNull();
    }

    @Test
    void aPlacementThatNoLongerFitsSendsThePodBackToFilter() {
        String node = gpuNode().getMetadata().getName();
        Pod big = create(client, gpuPod("idem", unique("pod"), 1, 15000, 10));
        extender.filter(big, List.of(node));
        String bigGpu = LedgerEntries.of(state, big.getMetadata().getUid()).orElseThrow().allocation().devices().get(0).uuid();
        Pod late = placedElsewhere(node, bigGpu, 2000, Duration.ofMinutes(10));

        assertThat(error(extender.bind(late, node))).isEqualTo("pod idem/" + late.getMetadata().getName()
                + " has no GPU reservation here and GPU " + bigGpu + " would hold 17000 MiB of 15360; it must be"
                + " filtered again");
        assertThat(get(client, late).getSpec().getNodeName()).isNull();
        assertThat(LedgerEntries.of(state, late.getMetadata().getUid())).isEmpty();
        assertThat(nodeLock(client, node)).as("the big pod is not bound: nobody holds the lock").isNull();
    }
}
