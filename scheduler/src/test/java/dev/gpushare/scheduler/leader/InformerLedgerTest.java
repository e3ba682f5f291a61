package dev.gpushare.scheduler.leader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gpushare.common.annotation.AllocationCodec;
import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.common.config.DeviceConfig;
import dev.gpushare.common.request.PodRequestParser;
import dev.gpushare.placement.NodeSnapshotFactory;
import dev.gpushare.placement.PlacementEngine;
import dev.gpushare.placement.PlacementResult;
import dev.gpushare.common.request.PodRequest;
import dev.gpushare.placement.PlacementRequest;
import dev.gpushare.placement.PlacementSettings;
import dev.gpushare.scheduler.events.EventRecorder;
import dev.gpushare.scheduler.embedded.EmbeddedApiServer;
import dev.gpushare.scheduler.embedded.EmbeddedClusterSeeder;
import dev.gpushare.scheduler.kube.MergePatch;
import dev.gpushare.scheduler.lock.NodeLockQueues;
import dev.gpushare.scheduler.state.ClusterInformers;
import dev.gpushare.scheduler.state.ClusterState;
import dev.gpushare.scheduler.embedded.TestApiServerDispatcher;
import dev.gpushare.scheduler.support.TestObjects;
import dev.gpushare.scheduler.support.LedgerEntries;
import dev.gpushare.scheduler.support.TestSeals;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The ledger side of a leadership term, on the mock API with real informers. */
class InformerLedgerTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private EmbeddedApiServer api;
    private KubernetesClient client;
    private EventRecorder events;
    private ClusterState state;
    private ClusterInformers informers;

    @BeforeEach
    void start() {
        api = EmbeddedApiServer.start(new TestApiServerDispatcher(), 0);
        client = api.newClient();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        events = new EventRecorder(client, "test", Clock.systemUTC(), meters,
                new dev.gpushare.scheduler.events.DecisionLog(10));
        state = new ClusterState(new NodeSnapshotFactory(List.of()),
                new ClusterState.Settings("nvidia.com/gpu", "nvidia.com/gpumem", "nvidia.com/gpucores", 1,
                        Duration.ofMinutes(2)), TestSeals.TRUST, Clock.systemUTC());
        informers = new ClusterInformers(client, state, new NodeLockQueues(), events, Duration.ofHours(1),
                Duration.ofMinutes(2), meters, new dev.gpushare.scheduler.health.InformerWatchdog(
                        new dev.gpushare.scheduler.health.ApiReachability(Clock.systemUTC()), Clock.systemUTC()));
        informers.start();
    }

    @AfterEach
    void stop() {
        informers.stop();
        events.close();
        client.close();
        api.close();
    }

    @Test
    void catchingUpMarksTheOwnPodAndWaitsUntilThePodInformerShowsIt() throws Exception {
        Pod self = TestObjects.create(client, TestObjects.gpuPod("hami-system", "sched-a", 1, null, null));
        InformerLedger ledger = new InformerLedger(informers, state, client, new PodRef("hami-system", "sched-a"));

        assertThat(ledger.catchUp(7, WAIT)).isTrue();

        String marker = TestObjects.annotations(client, self).get(HamiKeys.SCHEDULER_TERM);
        assertThat(marker).endsWith("/7");
        assertThat(informers.cachedPod("hami-system", "sched-a").orElseThrow().getMetadata().getAnnotations())
                .as("the store has caught up with the marker when catchUp returns")
                .containsEntry(HamiKeys.SCHEDULER_TERM, marker);

        assertThat(ledger.catchUp(8, WAIT)).isTrue();
        assertThat(TestObjects.annotations(client, self).get(HamiKeys.SCHEDULER_TERM))
                .isEqualTo(marker.substring(0, marker.length() - 1) + "8");
    }

    @Test
    void withoutItsOwnPodATermIsRebuiltWithoutWaiting() throws Exception {
        InformerLedger missing = new InformerLedger(informers, state, client, new PodRef("hami-system", "gone"));
        InformerLedger local = new InformerLedger(informers, state, client, null);

        assertThat(missing.catchUp(1, WAIT)).isTrue();
        assertThat(local.catchUp(1, WAIT)).isTrue();
    }

    @Test
    void relinquishingDropsOurReservationsUntilThePodsAnnotationsTellThemAgain() throws Exception {
        client.nodes().resource(EmbeddedClusterSeeder.gpuNode("ledger-node", 2, "NVIDIA T4", 15000, 4)).create();
        Pod reserved = TestObjects.create(client, TestObjects.gpuPod("work", "reserved", 1, 1000, null));
        InformerLedger ledger = new InformerLedger(informers, state, client, null);
        assertThat(ledger.catchUp(1, WAIT)).isTrue();
        await().atMost(WAIT).until(() -> state.snapshotOf("ledger-node") != null);
        String uid = reserved.getMetadata().getUid();
        PodRequest request = new PodRequestParser(DeviceConfig.defaults()).parse(reserved);
        PlacementResult result = state.placeAndReserve(uid, "work", "reserved", List.of("ledger-node"),
                (candidates, quota) -> new PlacementEngine(PlacementSettings.defaults()).place(
                        new PlacementRequest("work", "reserved", request, Map.of(), quota), candidates));
        assertThat(result).isInstanceOf(PlacementResult.Placed.class);

        assertThat(ledger.relinquish()).isEqualTo(1);
        assertThat(LedgerEntries.of(state, uid)).isEmpty();
        assertThat(state.synced()).isFalse();

        // The previous leader had annotated the pod: a new term reads the reservation back from the API.
        PlacementResult.Placed placed = (PlacementResult.Placed) result;
        String allocation = AllocationCodec.encode(placed.allocation());
        MergePatch.metadata().annotation(HamiKeys.VGPU_NODE, placed.node())
                .annotation(HamiKeys.VGPU_TIME, Long.toString(Clock.systemUTC().instant().getEpochSecond()))
                .annotation(HamiKeys.DEVICES_ALLOCATED, allocation)
                .annotation(HamiKeys.DEVICES_TO_ALLOCATE, allocation)
                .annotation(HamiKeys.PLACEMENT_SEAL, TestSeals.seal(uid, placed.node(), allocation))
                .applyToPod(client, "work", "reserved");
        await().atMost(WAIT).until(() -> informers.cachedPod("work", "reserved")
                .map(p -> p.getMetadata().getAnnotations() != null
                        && p.getMetadata().getAnnotations().containsKey(HamiKeys.DEVICES_ALLOCATED)).orElse(false));
        LeaderLedger.Rebuilt rebuilt = ledger.rebuild();

        assertThat(rebuilt.nodes()).isEqualTo(1);
        assertThat(state.synced()).isTrue();
        assertThat(LedgerEntries.of(state, uid)).get().satisfies(entry -> {
            assertThat(entry.bound()).isFalse();
            assertThat(entry.allocation()).isEqualTo(placed.allocation());
        });
    }
}
