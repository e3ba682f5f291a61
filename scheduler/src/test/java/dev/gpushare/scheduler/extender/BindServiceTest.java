package dev.gpushare.scheduler.extender;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpushare.common.config.DeviceConfig;
import dev.gpushare.common.request.PodRequest;
import dev.gpushare.common.request.PodRequestParser;
import dev.gpushare.placement.NodeSnapshotFactory;
import dev.gpushare.placement.PlacementEngine;
import dev.gpushare.placement.PlacementRequest;
import dev.gpushare.placement.PlacementResult;
import dev.gpushare.placement.PlacementSettings;
import dev.gpushare.scheduler.events.Events;
import dev.gpushare.scheduler.embedded.EmbeddedClusterSeeder;
import dev.gpushare.scheduler.leader.Leadership;
import dev.gpushare.scheduler.leader.Terms;
import dev.gpushare.scheduler.lock.LockResult;
import dev.gpushare.scheduler.lock.NodeLocks;
import dev.gpushare.scheduler.state.ClusterState;
import dev.gpushare.scheduler.support.TestObjects;
import dev.gpushare.scheduler.support.LedgerEntries;
import dev.gpushare.scheduler.support.RecordingEvents;
import dev.gpushare.scheduler.support.TestSeals;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The bind cycle with hand-written fakes for its I/O: what it writes, in which order, and what a failure undoes. */
class BindServiceTest {

    private static final String NODE = "n1";
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T12:00:00Z"), ZoneOffset.UTC);

    /** Every call the fakes saw, in order. */
    private final List<String> calls = new ArrayList<>();
    private final ClusterState state = new ClusterState(new NodeSnapshotFactory(List.of()),
            new ClusterState.Settings("nvidia.com/gpu", "nvidia.com/gpumem", "nvidia.com/gpucores", 1,
                    Duration.ofMinutes(2)), TestSeals.TRUST, CLOCK);
    private final Leadership leadership = new Leadership("me", "lease test/hami");
    private final PodRequestParser parser = new PodRequestParser(DeviceConfig.defaults());
    private Pod pod;
    private long term;
    private boolean bindingFails;
    private boolean releaseFails;
    private Runnable whileLocking = () -> { };

    private final ClusterReads reads = new ClusterReads() {
        @Override
        public Pod pod(String namespace, String name) {
            return pod;
        }

        @Override
        public boolean nodeExists(String name) {
            return NODE.equals(name);
        }

        @Override
        public List<Pod> podsBoundTo(String node) {
            calls.add("list pods bound to " + node);
            return List.of();
        }
    };

    private final NodeLocks locks = new NodeLocks() {
        @Override
        public LockResult acquire(String node, String namespace, String name, Duration wait,
                                  BooleanSupplier mayWrite) {
            calls.add("lock " + node + " " + namespace + "/" + name);
            whileLocking.run();
            return new LockResult.Acquired(Duration.ZERO, "free", "lock-of-" + namespace + "/" + name);
        }

        @Override
        public boolean releaseOwn(String node, String value) {
            calls.add("unlock " + node + " " + value);
            return !releaseFails;
        }
    };

    private final PodWrites writes = new PodWrites() {
        @Override
        public void writePlacement(String namespace, String name, String node, String allocation, String seal,
                                   Instant at) {
            calls.add("placement " + namespace + "/" + name);
        }

        @Override
        public void markAllocating(String namespace, String name, Instant at) {
            calls.add("allocating " + namespace + "/" + name + " at " + at.getEpochSecond());
        }

        @Override
        public void clearBindPhase(String namespace, String name) {
            calls.add("clear bind-phase " + namespace + "/" + name);
        }

        @Override
        public void labelBound(String namespace, String name, String node) {
            calls.add("label " + namespace + "/" + name + " " + node);
        }
    };

    private final PodBinder binder = (namespace, name, uid, node) -> {
        calls.add("binding " + namespace + "/" + name + " -> " + node);
        if (bindingFails) {
            throw new KubernetesClientException("pods \"" + name + "\" is forbidden", 403, null);
        }
    };

    private final Events events = new RecordingEvents(calls);

    private final BindService service = new BindService(state, leadership,
            new BindService.Io(reads, locks, writes, binder, new PlacementWrites((namespace, name, placement, t) -> null,
                    CLOCK, Duration.ofMinutes(2), Runnable::run)), parser, events, CLOCK, Duration.ofSeconds(20));

    @BeforeEach
    void reservePod() throws Exception {
        term = Terms.lead(leadership);
        state.applyNode(EmbeddedClusterSeeder.gpuNode(NODE, 1, "NVIDIA T4", 10000, 4));
        pod = TestObjects.gpuPod("ns", "p", 1, 1000, null);
        pod.getMetadata().setUid("uid-p");
        PodRequest request = parser.parse(pod);
        PlacementEngine engine = new PlacementEngine(PlacementSettings.defaults());
        assertThat(state.placeAndReserve("uid-p", "ns", "p", List.of(NODE), (candidates, quota) -> engine.place(
                new PlacementRequest("ns", "p", request, Map.of(), quota), candidates)))
                .isInstanceOf(PlacementResult.Placed.class);
    }

    private BindOutcome bind() throws InterruptedException {
        return service.bind(new ExtenderJson.BindArgs("p", "ns", "uid-p", NODE), term);
    }

    @Test
    void aBindTakesTheLockThenWritesTheBindPhaseThenBindsAndKeepsTheLock() throws Exception {
        assertThat(bind()).isEqualTo(new BindOutcome.Bound());

        assertThat(calls).containsExactly("lock n1 ns/p", "list pods bound to n1", "allocating ns/p at 1796126400",
                "binding ns/p -> n1", "label ns/p n1", "event Normal BindingSucceed: Successfully binding node [n1] to ns/p");
        assertThat(LedgerEntries.of(state, "uid-p")).isPresent();
    }

    @Test
    void aFailedBindingReleasesTheLockAndDropsTheReservation() throws Exception {
        bindingFails = true;

        String error = "binding to node n1 failed: pods \"p\" is forbidden";
        assertThat(bind()).isEqualTo(new BindOutcome.Failed(VerbFailure.BINDING_FAILED, error));

        assertThat(calls).containsExactly("lock n1 ns/p", "list pods bound to n1", "allocating ns/p at 1796126400",
                "binding ns/p -> n1", "clear bind-phase ns/p", "unlock n1 lock-of-ns/p",
                "event Warning BindingFailed: " + error);
        assertThat(LedgerEntries.of(state, "uid-p")).isEmpty();
    }

    @Test
    void aLockThatCannotBeReleasedIsNamedInTheAnswer() throws Exception {
        bindingFails = true;
        releaseFails = true;

        assertThat(bind()).isEqualTo(new BindOutcome.Failed(VerbFailure.BINDING_FAILED, "binding to node n1 failed: pods \"p\" is forbidden;"
                + " the node lock could not be released and expires on its own"));
        assertThat(LedgerEntries.of(state, "uid-p")).isEmpty();
    }

    @Test
    void leadershipLostWhileWaitingForTheLockWritesNothingAndUndoesEverything() throws Exception {
        whileLocking = () -> Terms.lose(leadership, "other");

        String error = "not the leader: leadership was lost while the bind waited for the node lock";
        assertThat(bind()).isEqualTo(new BindOutcome.Failed(VerbFailure.LEADERSHIP_LOST, error));

        assertThat(calls).containsExactly("lock n1 ns/p", "list pods bound to n1", "unlock n1 lock-of-ns/p",
                "event Warning BindingFailed: " + error);
        assertThat(LedgerEntries.of(state, "uid-p")).isEmpty();
    }

    @Test
    void aRecreatedPodIsRefusedWithoutTouchingAnything() throws Exception {
        pod.getMetadata().setUid("uid-new");

        assertThat(bind()).isEqualTo(new BindOutcome.Failed(VerbFailure.POD_RECREATED, "pod ns/p has UID uid-new, not uid-p (it was recreated)"));

        assertThat(calls).isEmpty();
        assertThat(LedgerEntries.of(state, "uid-p")).isPresent();
    }
}
