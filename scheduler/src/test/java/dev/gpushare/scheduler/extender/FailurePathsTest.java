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
import dev.gpushare.common.lock.NodeLockValue;
import dev.gpushare.scheduler.embedded.EmbeddedClusterSeeder;
import dev.gpushare.scheduler.kube.MergePatch;
import dev.gpushare.scheduler.state.ClusterState;
import dev.gpushare.scheduler.support.ExtenderClient;
import dev.gpushare.scheduler.support.SchedulerSpringTest;
import dev.gpushare.scheduler.embedded.TestApiServerDispatcher;
import dev.gpushare.scheduler.support.LedgerEntries;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** Every failure of a bind undoes what it did: no lock, no reservation left behind. */
@SchedulerSpringTest
class FailurePathsTest {

    @Autowired
    KubernetesClient client;
    @Autowired
    ExtenderClient extender;
    @Autowired
    ClusterState state;
    @Autowired
    TestApiServerDispatcher api;

    @AfterEach
    void clearFaults() {
        api.clearFaults();
    }

    private String gpuNode() {
        String name = unique("fail-node");
        client.nodes().resource(EmbeddedClusterSeeder.gpuNode(name, 2, "NVIDIA T4", 15360, 4)).create();
        await().atMost(Duration.ofSeconds(10)).until(() -> state.snapshotOf(name) != null);
        return name;
    }

    /** A pod filtered onto {@code node}, with its reservation in the ledger and its placement written. */
    private Pod filtered(String node) {
        Pod pod = create(client, gpuPod("fail", unique("pod"), 1, 1000, 10));
        JsonNode answer = extender.filter(pod, List.of(node));
        assertThat(answer.get("NodeNames").toString()).isEqualTo("[\"" + node + "\"]");
        assertThat(LedgerEntries.of(state, pod.getMetadata().getUid())).isPresent();
        // The placement is written behind the answer; faults injected next must not hit that write.
        await().atMost(Duration.ofSeconds(10))
                .until(() -> node.equals(annotations(client, pod).get(HamiKeys.VGPU_NODE)));
        return pod;
    }

    private void assertNothingLeftBehind(Pod pod, String node) {
        assertThat(nodeLock(client, node)).isNull();
        assertThat(LedgerEntries.of(state, pod.getMetadata().getUid())).isEmpty();
        assertThat(get(client, pod).getSpec().getNodeName()).isNull();
    }

    private void lockNode(String node, String lock) {
        client.nodes().withName(node).patch(PatchContext.of(PatchType.JSON_MERGE),
                MergePatch.metadata().annotation(HamiKeys.NODE_LOCK, lock).json());
    }

    @Test
    void aFailedBindingReleasesTheLockAndDropsTheReservation() {
        String node = gpuNode();
        Pod pod = filtered(node);
        api.fail("POST", "/pods/" + pod.getMetadata().getName() + "/binding$", 403, 1);

        JsonNode answer = extender.bind(pod, node);

        assertThat(answer.get("Error").asString())
                .isEqualTo("binding to node " + node + " failed: injected failure");
        assertNothingLeftBehind(pod, node);
    }

    @Test
    void aFailedBindPhasePatchReleasesTheLockAndDropsTheReservation() {
        String node = gpuNode();
        Pod pod = filtered(node);
        api.fail("PATCH", "/pods/" + pod.getMetadata().getName() + "$", 403, 1);

        JsonNode answer = extender.bind(pod, node);

        assertThat(answer.get("Error").asString()).startsWith("cannot set hami.io/bind-phase on pod: ");
        assertNothingLeftBehind(pod, node);
        assertThat(annotations(client, pod)).doesNotContainKey(HamiKeys.BIND_PHASE);
    }

    @Test
    void aFailedPlacementPatchRollsTheReservationBackAndTheBindAnswersItsError() {
        String node = gpuNode();
        Pod pod = create(client, gpuPod("fail", unique("pod"), 1, 1000, 10));
        api.fail("PATCH", "/pods/" + pod.getMetadata().getName() + "$", 403, 1);

        // The filter answers from memory; the placement write behind it fails.
        JsonNode answer = extender.filter(pod, List.of(node));
        assertThat(answer.get("NodeNames").toString()).isEqualTo("[\"" + node + "\"]");
        await().atMost(Duration.ofSeconds(10)).until(() -> LedgerEntries.of(state, pod.getMetadata().getUid()).isEmpty());
        assertThat(state.snapshotOf(node).gpus()).allSatisfy(gpu -> assertThat(gpu.usage().used()).isZero());

        JsonNode bound = extender.bind(pod, node);

        assertThat(bound.get("Error").asString()).startsWith("cannot annotate pod fail/" + pod.getMetadata().getName()
                + " with its placement: ").contains("injected failure");
        assertNothingLeftBehind(pod, node);
        assertThat(annotations(client, pod)).doesNotContainKeys(HamiKeys.VGPU_NODE, HamiKeys.BIND_PHASE);
        // Reported once: kube-scheduler's retry filters the pod again and starts from a clean state.
        JsonNode retried = extender.filter(pod, List.of(node));
        assertThat(retried.get("NodeNames").toString()).isEqualTo("[\"" + node + "\"]");
        assertThat(extender.bind(pod, node).toString()).isEqualTo("{\"Error\":\"\"}");
        assertThat(get(client, pod).getSpec().getNodeName()).isEqualTo(node);
    }

    @Test
    void aFilterOfAPodThatIsGoneDropsTheReservation() {
        String node = gpuNode();
        Pod pod = gpuPod("fail", unique("never-created"), 1, 1000, 10);
        pod.getMetadata().setUid("uid-of-a-pod-that-is-gone");

        JsonNode answer = extender.filter(pod, List.of(node));

        assertThat(answer.get("NodeNames").toString()).isEqualTo("[\"" + node + "\"]");
        await().atMost(Duration.ofSeconds(10)).until(() -> LedgerEntries.of(state, "uid-of-a-pod-that-is-gone").isEmpty());
    }

    @Test
    void aLockHeldByAnotherLivePodFailsTheBindAfterTheWaitAndStaysItsOwners() {
        String node = gpuNode();
        Pod holder = create(client, gpuPod("fail", unique("holder"), 1, 1000, 10));
        String lock = NodeLockValue.heldBy(Instant.now(), "fail", holder.getMetadata().getName()).format();
        lockNode(node, lock);
        Pod pod = filtered(node);

        JsonNode answer = extender.bind(pod, node);

        assertThat(answer.get("Error").asString()).startsWith("node " + node + " is locked by fail/"
                + holder.getMetadata().getName() + " since ")
                .matches(".*; waited (1\\d{3}|2000)ms");  // what is left of the 2 s bind budget
        assertThat(nodeLock(client, node)).isEqualTo(lock);
        assertThat(LedgerEntries.of(state, pod.getMetadata().getUid())).isEmpty();
        assertThat(get(client, pod).getSpec().getNodeName()).isNull();
    }

    private record Waiting(Pod holder, Pod pod, CompletableFuture<JsonNode> bind) {
    }

    /** A bind of a pod filtered onto {@code node}, seen waiting while another live pod holds the node's lock. */
    private Waiting bindWaitingBehindAnotherPod(String node) {
        Pod holder = create(client, gpuPod("fail", unique("holder"), 1, 1000, 10));
        lockNode(node, NodeLockValue.heldBy(Instant.now(), "fail", holder.getMetadata().getName()).format());
        Pod pod = filtered(node);
        CompletableFuture<JsonNode> bind = CompletableFuture.supplyAsync(() -> extender.bind(pod, node));
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1)).until(() -> !bind.isDone());
        return new Waiting(holder, pod, bind);
    }

    @Test
    void aWaitingBindIsWokenWhenTheLockGoes() throws Exception {
        String node = gpuNode();
        Waiting waiting = bindWaitingBehindAnotherPod(node);
        Pod pod = waiting.pod();
        CompletableFuture<JsonNode> bind = waiting.bind();
        // The device plugin finishes with the holder and removes the lock: the informer wakes the waiting bind.
        lockNode(node, null);

        assertThat(bind.get(10, TimeUnit.SECONDS).toString()).isEqualTo("{\"Error\":\"\"}");
        assertThat(get(client, pod).getSpec().getNodeName()).isEqualTo(node);
    }

    @Test
    void aWaitingBindTakesTheLockOnceTheDevicePluginIsDoneWithItsOwner() throws Exception {
        String node = gpuNode();
        Waiting waiting = bindWaitingBehindAnotherPod(node);
        Pod pod = waiting.pod();
        CompletableFuture<JsonNode> bind = waiting.bind();
        // Every value the lock takes: the emulated device plugin releases it again soon after the bind.
        List<String> locks = new CopyOnWriteArrayList<>();
        try (Watch watch = client.nodes().withName(node).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Node changed) {
                String lock = changed.getMetadata().getAnnotations() == null ? null
                        : changed.getMetadata().getAnnotations().get(HamiKeys.NODE_LOCK);
                if (lock != null) {
                    locks.add(lock);
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        })) {
            // The device plugin reports the holder allocated; its owner-checked release of the lock comes later.
            client.pods().inNamespace("fail").withName(waiting.holder().getMetadata().getName()).patch(
                    PatchContext.of(PatchType.JSON_MERGE),
                    MergePatch.metadata().annotation(HamiKeys.BIND_PHASE, "success").json());

            assertThat(bind.get(10, TimeUnit.SECONDS).toString()).isEqualTo("{\"Error\":\"\"}");
            assertThat(get(client, pod).getSpec().getNodeName()).isEqualTo(node);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(locks)
                    .as("the lock was handed over to the waiting pod")
                    .anySatisfy(lock -> assertThat(NodeLockValue.parse(lock)
                            .isHeldBy("fail", pod.getMetadata().getName())).isTrue()));
        }
    }

    @Test
    void danglingExpiredAndMalformedLocksAreHealedByTheBind() {
        String node = gpuNode();
        for (String lock : List.of(NodeLockValue.heldBy(Instant.now(), "fail", "no-such-pod").format(),
                NodeLockValue.heldBy(Instant.now().minus(Duration.ofMinutes(6)), "fail", "someone").format(),
                "garbage,lock")) {
            lockNode(node, lock);
            Pod pod = filtered(node);

            assertThat(extender.bind(pod, node).toString()).isEqualTo("{\"Error\":\"\"}");

            assertThat(get(client, pod).getSpec().getNodeName()).isEqualTo(node);
            await().atMost(Duration.ofSeconds(10)).until(() -> nodeLock(client, node) == null);
        }
    }

    @Test
    void aRetriedBindOfThePodHoldingTheLockSucceeds() {
        String node = gpuNode();
        Pod pod = filtered(node);
        lockNode(node, NodeLockValue.heldBy(Instant.now(), "fail", pod.getMetadata().getName()).format());

        assertThat(extender.bind(pod, node).toString()).isEqualTo("{\"Error\":\"\"}");
        assertThat(get(client, pod).getSpec().getNodeName()).isEqualTo(node);
    }
}
