package dev.gpushare.scheduler.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.common.config.DeviceConfig;
import dev.gpushare.common.request.PodRequest;
import dev.gpushare.common.request.PodRequestParser;
import dev.gpushare.placement.NodeSnapshotFactory;
import dev.gpushare.placement.PlacementEngine;
import dev.gpushare.placement.FailureReason;
import dev.gpushare.placement.NamespaceQuota;
import dev.gpushare.placement.NodeRejection;
import dev.gpushare.placement.PlacementResult;
import dev.gpushare.placement.PlacementRequest;
import dev.gpushare.placement.PlacementSettings;
import dev.gpushare.scheduler.embedded.EmbeddedClusterSeeder;
import dev.gpushare.scheduler.support.TestObjects;
import dev.gpushare.scheduler.support.TestSeals;
import dev.gpushare.testkit.ManualClock;
import dev.gpushare.scheduler.support.LedgerEntries;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The ledger's rules, without an API: one entry per pod, reservations that expire, rebuilds that agree. */
class ClusterStateTest {

    private static final PlacementEngine ENGINE = new PlacementEngine(PlacementSettings.defaults());
    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-23T12:00:00Z"));
    private final ClusterState state = new ClusterState(
            new NodeSnapshotFactory(List.of()), new ClusterState.Settings("nvidia.com/gpu", "nvidia.com/gpumem",
                    "nvidia.com/gpucores", 1, TIMEOUT), TestSeals.TRUST, clock);
    private final PodRequestParser parser = new PodRequestParser(DeviceConfig.defaults());
    private final List<Node> nodes = new ArrayList<>();
    private final List<Pod> pods = new ArrayList<>();
    private final List<ResourceQuota> quotas = new ArrayList<>();

    private String node(String name, int gpus) {
        Node node = EmbeddedClusterSeeder.gpuNode(name, gpus, "NVIDIA T4", 10000, 4);
        nodes.add(node);
        state.applyNode(node);
        return name;
    }

    private Pod pod(String namespace, String name, int memory) {
        Pod pod = TestObjects.gpuPod(namespace, name, 1, memory, null);
        pod.getMetadata().setUid("uid-" + name);
        pods.add(pod);
        return pod;
    }

    private PlacementResult filter(Pod pod, String... nodeNames) throws Exception {
        PodRequest request = parser.parse(pod);
        return state.placeAndReserve(pod.getMetadata().getUid(), pod.getMetadata().getNamespace(),
                pod.getMetadata().getName(), List.of(nodeNames), (candidates, quota) -> ENGINE.place(
                        new PlacementRequest(pod.getMetadata().getNamespace(), pod.getMetadata().getName(), request,
                                Map.of(), quota), candidates));
    }

    /** The pod as the informer sees it after the filter's patch, bound to the node or not. */
    private static Pod annotated(Pod pod, PlacementResult.Placed placed, Instant filteredAt, boolean bound) {
        Map<String, String> annotations = new HashMap<>();
        String allocation = dev.gpushare.common.annotation.AllocationCodec.encode(placed.allocation());
        annotations.put(HamiKeys.VGPU_NODE, placed.node());
        annotations.put(HamiKeys.VGPU_TIME, Long.toString(filteredAt.getEpochSecond()));
        annotations.put(HamiKeys.DEVICES_ALLOCATED, allocation);
        annotations.put(HamiKeys.DEVICES_TO_ALLOCATE, allocation);
        annotations.put(HamiKeys.PLACEMENT_SEAL, TestSeals.seal(pod.getMetadata().getUid(), placed.node(), allocation));
        pod.getMetadata().setAnnotations(annotations);
        pod.getSpec().setNodeName(bound ? placed.node() : null);
        return pod;
    }

    private int tasksOn(String node) {
        return state.snapshotOf(node).gpus().stream().mapToInt(g -> g.usage().used()).sum();
    }

    private int memoryOn(String node) {
        return state.snapshotOf(node).gpus().stream().mapToInt(g -> g.usage().usedmem()).sum();
    }

    private ClusterState.Repairs rebuild() {
        return state.rebuild(InformerStores.of(nodes, pods, quotas), true);
    }

    @Test
    void aReservationIsConfirmedByTheInformerAsOneEntry() throws Exception {
        String n = node("n1", 2);
        Pod pod = pod("ns", "p", 3000);

        PlacementResult.Placed placed = (PlacementResult.Placed) filter(pod, n);
        assertThat(LedgerEntries.of(state, "uid-p")).get().satisfies(e -> assertThat(e.bound()).isFalse());
        state.applyPod(annotated(pod, placed, clock.instant(), false));
        state.applyPod(annotated(pod, placed, clock.instant(), true));

        assertThat(state.entries()).singleElement().satisfies(e -> {
            assertThat(e.bound()).isTrue();
            assertThat(e.node()).isEqualTo(n);
        });
        assertThat(tasksOn(n)).isEqualTo(1);
        assertThat(memoryOn(n)).isEqualTo(3000);
    }

    @Test
    void aReFilterReplacesThePodsReservation() throws Exception {
        String n = node("n1", 1);
        Pod pod = pod("ns", "p", 6000);

        filter(pod, n);
        // 6000 + 6000 would not fit a 10000 MiB GPU: the pod's own reservation must not count against it.
        assertThat(filter(pod, n)).isInstanceOf(PlacementResult.Placed.class);

        assertThat(state.entries()).hasSize(1);
        assertThat(memoryOn(n)).isEqualTo(6000);
    }

    @Test
    void aReservationOfAPodNeverBoundExpires() throws Exception {
        String n = node("n1", 1);
        Pod pod = pod("ns", "p", 3000);
        PlacementResult.Placed placed = (PlacementResult.Placed) filter(pod, n);
        state.applyPod(annotated(pod, placed, clock.instant(), false));

        clock.advance(TIMEOUT.minusSeconds(1));
        assertThat(state.expireReservations()).isZero();
        clock.advance(Duration.ofSeconds(1));
        assertThat(state.expireReservations()).isEqualTo(1);

        assertThat(state.entries()).isEmpty();
        assertThat(memoryOn(n)).isZero();
        // A later event of the same unbound pod does not bring it back.
        state.applyPod(pod);
        assertThat(state.entries()).isEmpty();
    }

    @Test
    void aDroppedReservationIsNotBroughtBackByTheAnnotationsButANewFilterCounts() throws Exception {
        String n = node("n1", 1);
        Pod pod = pod("ns", "p", 3000);
        PlacementResult.Placed placed = (PlacementResult.Placed) filter(pod, n);

        assertThat(state.unreserve("uid-p")).isTrue();
        state.applyPod(annotated(pod, placed, clock.instant(), false));
        assertThat(state.entries()).isEmpty();
        assertThat(rebuild().pods()).isZero();
        assertThat(state.entries()).isEmpty();

        clock.advance(Duration.ofSeconds(5));
        assertThat(filter(pod, n)).isInstanceOf(PlacementResult.Placed.class);
        assertThat(state.entries()).hasSize(1);
    }

    @Test
    void aRestartKeepsReservationsOfRecentlyFilteredPodsAndCountsBoundOnes() throws Exception {
        String n = node("n1", 2);
        Pod fresh = pod("ns", "fresh", 1000);
        Pod stale = pod("ns", "stale", 1000);
        Pod running = pod("ns", "running", 1000);
        PlacementResult.Placed a = (PlacementResult.Placed) filter(fresh, n);
        PlacementResult.Placed b = (PlacementResult.Placed) filter(stale, n);
        PlacementResult.Placed c = (PlacementResult.Placed) filter(running, n);
        annotated(fresh, a, clock.instant().minusSeconds(30), false);
        annotated(stale, b, clock.instant().minus(TIMEOUT), false);
        annotated(running, c, clock.instant().minus(Duration.ofDays(3)), true);

        ClusterState restarted = new ClusterState(
                new NodeSnapshotFactory(List.of()), new ClusterState.Settings("nvidia.com/gpu", "nvidia.com/gpumem",
                        "nvidia.com/gpucores", 1, TIMEOUT), TestSeals.TRUST, clock);
        restarted.rebuild(InformerStores.of(nodes, pods, quotas), true);

        assertThat(restarted.synced()).isTrue();
        assertThat(LedgerEntries.of(restarted, "uid-fresh")).get().satisfies(e -> {
            assertThat(e.bound()).isFalse();
            assertThat(e.expiresAt()).isEqualTo(clock.instant().minusSeconds(30).plus(TIMEOUT));
        });
        assertThat(LedgerEntries.of(restarted, "uid-stale")).isEmpty();
        assertThat(LedgerEntries.of(restarted, "uid-running")).get().satisfies(e -> assertThat(e.bound()).isTrue());
    }

    @Test
    void terminatingPodsStillHoldTheirGpusFinishedOnesDoNot() throws Exception {
        String n = node("n1", 1);
        Pod pod = pod("ns", "p", 3000);
        annotated(pod, (PlacementResult.Placed) filter(pod, n), clock.instant(), true);
        pod.getMetadata().setDeletionTimestamp("2026-11-23T12:00:00Z");
        state.applyPod(pod);
        assertThat(memoryOn(n)).isEqualTo(3000);

        pod.getStatus().setPhase("Succeeded");
        state.applyPod(pod);
        assertThat(state.entries()).isEmpty();
        assertThat(memoryOn(n)).isZero();
    }

    @Test
    void theNamespaceQuotaLimitsPlacement() throws Exception {
        String n = node("n1", 2);
        quotas.add(new ResourceQuotaBuilder().withNewMetadata().withName("gpu").withNamespace("team").endMetadata()
                .withNewSpec().withHard(Map.of("limits.nvidia.com/gpumem", new Quantity("4000"))).endSpec().build());
        quotas.forEach(state::applyQuota);
        filter(pod("team", "first", 3000), n);

        assertThat(filter(pod("team", "second", 2000), n)).isInstanceOfSatisfying(
                PlacementResult.Unschedulable.class, u -> assertThat(u.failedNodes().get(n).wireText())
                        .contains("ResourceQuotaNotFit"));
        assertThat(filter(pod("other", "third", 2000), n)).isInstanceOf(PlacementResult.Placed.class);
    }

    @Test
    void devicesAreReReadWhenTheRegistrationChangesAndAZeroAllocatableUnregisters() throws Exception {
        String n = node("n1", 2);
        assertThat(state.snapshotOf(n).gpus()).hasSize(2);

        Node grown = EmbeddedClusterSeeder.gpuNode(n, 3, "NVIDIA T4", 10000, 4);
        grown.getStatus().setAllocatable(nodes.get(0).getStatus().getAllocatable());
        state.applyNode(grown);
        assertThat(state.snapshotOf(n).gpus()).hasSize(3);

        grown.getStatus().setAllocatable(Map.of("nvidia.com/gpu", new Quantity("0")));
        state.applyNode(grown);
        assertThat(state.snapshotOf(n)).isNull();
        assertThat(filter(pod("ns", "p", 1000), n)).isInstanceOfSatisfying(PlacementResult.Unschedulable.class,
                u -> assertThat(u.failedNodes()).containsExactlyEntriesOf(
                        Map.of(n, NodeRejection.of(FailureReason.NODE_UNREGISTERED))));
    }

    @Test
    void aRebuildRepairsWhatAMissedEventLeftWrong() throws Exception {
        String n = node("n1", 1);
        Pod pod = pod("ns", "p", 3000);
        annotated(pod, (PlacementResult.Placed) filter(pod, n), clock.instant(), true);
        state.applyPod(pod);
        state.removePod(pod);  // as if a delete arrived for a pod that still exists

        ClusterState.Repairs repairs = state.rebuild(InformerStores.of(nodes, pods, quotas), false);

        assertThat(List.of(repairs.nodes(), repairs.pods(), repairs.quotas())).containsExactly(0, 1, 0);
        assertThat(LedgerEntries.of(state, "uid-p")).get().satisfies(e -> assertThat(e.bound()).isTrue());
        assertThat(memoryOn(n)).isEqualTo(3000);
        assertThat(state.rebuild(InformerStores.of(nodes, pods, quotas), false).total()).isZero();
    }

    @Test
    void onlyARebuildMarksTheStateSyncedAndLosingItNeedsAnother() {
        assertThat(state.synced()).isFalse();
        rebuild();
        assertThat(state.synced()).isTrue();
        state.markUnsynced();
        assertThat(state.synced()).isFalse();
        state.rebuild(InformerStores.of(nodes, pods, quotas), false);
        assertThat(state.synced()).as("a periodic reconcile does not make a replica synced").isFalse();
    }

    @Test
    void theReconcileReadsTheStoresWithoutHoldingTheLock() throws Exception {
        String n = node("n1", 1);
        pod("ns", "p", 1000);
        ExecutorService verb = Executors.newSingleThreadExecutor();
        try {
            InformerStores stores = new DelegatingStores(InformerStores.of(nodes, pods, quotas)) {
                @Override
                public Collection<Pod> pods() {
                    // A verb runs to the end while the reconcile walks the pods.
                    try {
                        assertThat(verb.submit(() -> state.snapshotOf(n)).get(10, TimeUnit.SECONDS)).isNotNull();
                    } catch (Exception e) {
                        throw new AssertionError("the verb waited for the reconcile", e);
                    }
                    return super.pods();
                }
            };
            assertThat(state.rebuild(stores, false).total()).isZero();
        } finally {
            verb.shutdownNow();
        }
    }

    @Test
    void aRepairIsSkippedWhenTheStoreMovedOnMeanwhile() throws Exception {
        String n = node("n1", 1);
        Pod pod = pod("ns", "p", 3000);
        annotated(pod, (PlacementResult.Placed) filter(pod, n), clock.instant(), true);
        InformerStores moved = new DelegatingStores(InformerStores.of(nodes, pods, quotas)) {
            @Override
            public boolean holds(HasMetadata object) {
                return object != pod && super.holds(object);  // a newer version of the pod has its own event
            }
        };

        assertThat(state.rebuild(moved, false).total()).isZero();
        assertThat(LedgerEntries.of(state, "uid-p")).get().satisfies(e -> assertThat(e.bound()).isFalse());

        ClusterState.Repairs repaired = state.rebuild(InformerStores.of(nodes, pods, quotas), false);
        assertThat(List.of(repaired.nodes(), repaired.pods(), repaired.quotas())).containsExactly(0, 1, 0);
        assertThat(LedgerEntries.of(state, "uid-p")).get().satisfies(e -> assertThat(e.bound()).isTrue());
    }

    @Test
    void theLedgerViewShowsDevicesUsagePodsPerGpuAndQuotas() throws Exception {
        String n = node("n1", 2);
        quotas.add(new ResourceQuotaBuilder().withNewMetadata().withName("gpu").withNamespace("team").endMetadata()
                .withNewSpec().withHard(Map.of("limits.nvidia.com/gpumem", new Quantity("8000"))).endSpec().build());
        quotas.forEach(state::applyQuota);
        PlacementResult.Placed placed = (PlacementResult.Placed) filter(pod("team", "p", 3000), n);
        String uuid = placed.allocation().devices().get(0).uuid();

        LedgerView view = state.view();

        assertThat(view.nodes()).containsOnlyKeys(n);
        assertThat(view.nodes().get(n).gpus()).hasSize(2);
        assertThat(view.nodes().get(n).gpus().stream().mapToInt(g -> g.usage().usedmem()).sum()).isEqualTo(3000);
        assertThat(view.podsOn(n, uuid)).extracting(PodEntry::name).containsExactly("p");
        assertThat(view.quotas().get("team")).isEqualTo(new NamespaceQuota(8000, 3000, 0, 0));
        assertThat(view.nodes().get(n)).isSameAs(state.snapshotOf(n));
    }

    /** Stores that answer as another's, for tests that change one answer. */
    private static class DelegatingStores implements InformerStores {
        private final InformerStores stores;

        DelegatingStores(InformerStores stores) {
            this.stores = stores;
        }

        @Override
        public Collection<Node> nodes() {
            return stores.nodes();
        }

        @Override
        public Collection<Pod> pods() {
            return stores.pods();
        }

        @Override
        public Collection<ResourceQuota> quotas() {
            return stores.quotas();
        }

        @Override
        public boolean holds(HasMetadata object) {
            return stores.holds(object);
        }

        @Override
        public boolean lacksPod(String namespace, String name, String uid) {
            return stores.lacksPod(namespace, name, uid);
        }

        @Override
        public boolean lacksNode(String name) {
            return stores.lacksNode(name);
        }
    }
}
