package dev.gpushare.scheduler.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.common.config.DeviceConfig;
import dev.gpushare.common.request.PodRequestParser;
import dev.gpushare.common.seal.PlacementTrust;
import dev.gpushare.placement.NodeSnapshotFactory;
import dev.gpushare.placement.PlacementEngine;
import dev.gpushare.placement.PlacementRequest;
import dev.gpushare.placement.PlacementResult;
import dev.gpushare.placement.PlacementSettings;
import dev.gpushare.scheduler.embedded.EmbeddedClusterSeeder;
import dev.gpushare.scheduler.lock.NodeLockQueues;
import dev.gpushare.scheduler.support.LedgerEntries;
import dev.gpushare.scheduler.support.RecordingEvents;
import dev.gpushare.scheduler.support.TestObjects;
import dev.gpushare.scheduler.support.TestSeals;
import dev.gpushare.testkit.ManualClock;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Which placements found in pod annotations the ledger counts: sealed ones, its own, and unsealed ones only as the
 * migration setting allows; an ignored one is reported once (event, metric), never per reconcile.
 */
class LedgerTrustTest {

    private static final PlacementEngine ENGINE = new PlacementEngine(PlacementSettings.defaults());
    private static final String GPU = EmbeddedClusterSeeder.devices("n1", 1, "NVIDIA T4", 10000, 4).get(0).id();
    /** The whole GPU of node n1 (one GPU of 10000 MiB, 4 slots): what a forger claims. */
    private static final String WHOLE_GPU = GPU + ",NVIDIA,10000,100:;";
    private static final String SLICE = GPU + ",NVIDIA,2000,10:;";

    private final ManualClock clock = new ManualClock(Instant.parse("2026-12-01T12:00:00Z"));
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<String> events = new ArrayList<>();
    private ClusterState state = state(TestSeals.TRUST);
    private InformerHandlers handlers = handlers(state);
    private final Node node = EmbeddedClusterSeeder.gpuNode("n1", 1, "NVIDIA T4", 10000, 4);
    private final List<Pod> pods = new ArrayList<>();

    private ClusterState state(PlacementTrust trust) {
        return new ClusterState(new NodeSnapshotFactory(List.of()), new ClusterState.Settings("nvidia.com/gpu",
                "nvidia.com/gpumem", "nvidia.com/gpucores", 1, Duration.ofMinutes(2)), trust, clock);
    }

    private InformerHandlers handlers(ClusterState of) {
        return new InformerHandlers(of, new NodeLockQueues(), new RecordingEvents(events), new InformerLag(meters),
                meters);
    }

    /** A running pod on n1 carrying HAMi's placement annotations, as created through the API. */
    private Pod running(String name, String allocated, String createdAt, String seal) {
        Pod pod = TestObjects.gpuPod("team", name, 1, 10000, 100);
        pod.getMetadata().setUid("uid-" + name);
        pod.getMetadata().setCreationTimestamp(createdAt);
        pod.getSpec().setNodeName("n1");
        pod.getStatus().setPhase("Running");
        pod.getMetadata().setAnnotations(new java.util.HashMap<>(Map.of(HamiKeys.VGPU_NODE, "n1",
                HamiKeys.DEVICES_ALLOCATED, allocated, HamiKeys.DEVICES_TO_ALLOCATE, ";",
                HamiKeys.BIND_PHASE, "success")));
        if (seal != null) {
            pod.getMetadata().getAnnotations().put(HamiKeys.PLACEMENT_SEAL, seal);
        }
        pods.add(pod);
        return pod;
    }

    private PlacementResult filter(String name) throws Exception {
        Pod pod = TestObjects.gpuPod("team", name, 1, 4000, 30);
        pod.getMetadata().setUid("uid-" + name);
        var request = new PodRequestParser(DeviceConfig.defaults()).parse(pod);
        return state.placeAndReserve("uid-" + name, "team", name, List.of("n1"), (candidates, quota) -> ENGINE.place(
                new PlacementRequest("team", name, request, Map.of(), quota), candidates));
    }

    private double ignored(String reason) {
        return meters.get("gpushare_ledger_ignored_allocations").tag("reason", reason).counter().count();
    }

    @Test
    void aForgedPodIsNotCountedIsReportedOnceAndRealPodsStillFit() throws Exception {
        handlers.nodes().onAdd(node);
        Pod forged = running("forged", WHOLE_GPU, "2026-12-01T11:00:00Z", null);

        handlers.pods().onAdd(forged);
        handlers.pods().onUpdate(forged, forged);
        state.rebuild(InformerStores.of(List.of(node), pods, List.of()), false);

        assertThat(LedgerEntries.of(state, "uid-forged")).isEmpty();
        assertThat(filter("real")).isInstanceOf(PlacementResult.Placed.class);
        assertThat(events).containsExactly("event Warning AllocationIgnored: allocation not counted: it carries no"
                + " gpushare.dev/placement-seal (not placed by this scheduler)");
        assertThat(ignored("unsealed")).isEqualTo(1.0);
        assertThat(ignored("bad_seal")).isZero();
        assertThat(meters.get("gpushare_ledger_ignored_allocations").counter().getId().getDescription())
                .isEqualTo("Pods whose GPU allocation annotations the ledger does not count (no placement seal, or"
                        + " one that does not verify), each pod once per reason");
    }

    @Test
    void aSealCopiedFromAnotherPodIsABadSeal() throws Exception {
        handlers.nodes().onAdd(node);
        Pod genuine = running("genuine", SLICE, "2026-12-01T11:00:00Z",
                TestSeals.seal("uid-genuine", "n1", SLICE));
        Pod copy = running("copy", SLICE, "2026-12-01T11:00:00Z",
                genuine.getMetadata().getAnnotations().get(HamiKeys.PLACEMENT_SEAL));

        handlers.pods().onAdd(genuine);
        handlers.pods().onAdd(copy);

        assertThat(LedgerEntries.of(state, "uid-genuine")).get().extracting(PodEntry::bound).isEqualTo(true);
        assertThat(LedgerEntries.of(state, "uid-copy")).isEmpty();
        assertThat(events).containsExactly("event Warning AllocationIgnored: allocation not counted: the seal does"
                + " not match this pod's UID, node and allocation");
        assertThat(ignored("bad_seal")).isEqualTo(1.0);
    }

    @Test
    void aPlacementWidenedAfterSealingKeepsCountingWhatTheLedgerHolds() throws Exception {
        handlers.nodes().onAdd(node);
        String sealed = SLICE;
        Pod pod = running("p", sealed, "2026-12-01T11:00:00Z", TestSeals.seal("uid-p", "n1", sealed));
        handlers.pods().onAdd(pod);
        Pod widened = running("p", WHOLE_GPU, "2026-12-01T11:00:00Z", TestSeals.seal("uid-p", "n1", sealed));
        pods.remove(pod);

        handlers.pods().onUpdate(pod, widened);
        state.rebuild(InformerStores.of(List.of(node), pods, List.of()), false);

        assertThat(LedgerEntries.of(state, "uid-p")).get().satisfies(e -> assertThat(e.allocation().devices())
                .singleElement().satisfies(d -> assertThat(d.usedmem()).isEqualTo(2000)));
        assertThat(ignored("bad_seal")).isEqualTo(1.0);
    }

    @Test
    void theMigrationCutOffCountsUnsealedPodsCreatedBeforeItOnly() {
        state = state(new PlacementTrust(TestSeals.SEAL, new PlacementTrust.UnsealedPolicy(false,
                Optional.of(Instant.parse("2026-12-01T10:00:00Z")))));
        handlers = handlers(state);
        handlers.nodes().onAdd(node);

        handlers.pods().onAdd(running("placed-by-hami", SLICE, "2026-12-01T09:59:59Z", null));
        handlers.pods().onAdd(running("forged-later", GPU + ",NVIDIA,8000,90:;", "2026-12-01T10:00:00Z", null));

        assertThat(LedgerEntries.of(state, "uid-placed-by-hami")).get().extracting(PodEntry::bound).isEqualTo(true);
        assertThat(LedgerEntries.of(state, "uid-forged-later")).isEmpty();
        assertThat(events).singleElement().asString().startsWith("event Warning AllocationIgnored:")
                .endsWith("and the pod was created after 2026-12-01T10:00:00Z, the cut-off for unsealed allocations");
    }

    @Test
    void trustingAllUnsealedCountsHamisPlacementsBesideOurs() {
        state = state(new PlacementTrust(TestSeals.SEAL, new PlacementTrust.UnsealedPolicy(true, Optional.empty())));
        handlers = handlers(state);
        handlers.nodes().onAdd(node);

        handlers.pods().onAdd(running("hami-canary-neighbour", SLICE, null, null));

        assertThat(LedgerEntries.of(state, "uid-hami-canary-neighbour")).isPresent();
        assertThat(events).isEmpty();
    }

    @Test
    void anUnsealedPlacementIsNotAdoptedByBind() {
        handlers.nodes().onAdd(node);
        Pod pending = running("pending", SLICE, "2026-12-01T11:00:00Z", null);
        pending.getSpec().setNodeName(null);
        pending.getStatus().setPhase("Pending");

        assertThat(state.adoptPlacement(pending, "n1")).contains("its placement is not taken over (allocation not"
                + " counted: it carries no gpushare.dev/placement-seal (not placed by this scheduler))");
        pending.getMetadata().getAnnotations().put(HamiKeys.PLACEMENT_SEAL,
                TestSeals.seal("uid-pending", "n1", SLICE));
        assertThat(state.adoptPlacement(pending, "n1")).isEmpty();
        assertThat(LedgerEntries.of(state, "uid-pending")).isPresent();
    }
}
