package dev.gpushare.scheduler.extender;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpushare.common.config.DeviceConfig;
import dev.gpushare.common.device.PodAllocation;
import dev.gpushare.common.request.PodRequestParser;
import dev.gpushare.placement.FailureReason;
import dev.gpushare.placement.NodeRejection;
import dev.gpushare.placement.NodeSnapshotFactory;
import dev.gpushare.placement.PlacementEngine;
import dev.gpushare.placement.PlacementResult;
import dev.gpushare.placement.PlacementSettings;
import dev.gpushare.scheduler.events.Events;
import dev.gpushare.scheduler.embedded.EmbeddedClusterSeeder;
import dev.gpushare.scheduler.leader.Leadership;
import dev.gpushare.scheduler.leader.Terms;
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
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** {@code /filter}'s decisions with a hand-written fake for its pod writes. */
class FilterServiceTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T12:00:00Z"), ZoneOffset.UTC);

    private final List<String> calls = new ArrayList<>();
    private final ClusterState state = new ClusterState(new NodeSnapshotFactory(List.of()),
            new ClusterState.Settings("nvidia.com/gpu", "nvidia.com/gpumem", "nvidia.com/gpucores", 1,
                    Duration.ofMinutes(2)), TestSeals.TRUST, CLOCK);
    private final Leadership leadership = new Leadership("me", "lease test/hami");
    private RuntimeException writeFailure;

    private final PodWrites writes = new PodWrites() {
        @Override
        public void writePlacement(String namespace, String name, String node, String allocation, String seal,
                                   Instant at) {
            calls.add("placement " + namespace + "/" + name + " on " + node + " at " + at.getEpochSecond() + ": "
                    + allocation + " sealed " + seal);
            if (writeFailure != null) {
                throw writeFailure;
            }
        }

        @Override
        public void markAllocating(String namespace, String name, Instant at) {
            calls.add("allocating");
        }

        @Override
        public void clearBindPhase(String namespace, String name) {
            calls.add("clear bind-phase");
        }

        @Override
        public void labelBound(String namespace, String name, String node) {
            calls.add("label");
        }
    };

    private final Events events = new RecordingEvents(calls);

    private final FilterService service = new FilterService(state,
            new PlacementEngine(PlacementSettings.defaults()), leadership,
            new PodRequestParser(DeviceConfig.defaults()), placements(), events, CLOCK);

    /** The pipelined write, run on the filtering thread so that the calls are in order. */
    private PlacementWrites placements() {
        return new PlacementWrites(PlacementWrites.leaderOnly(writes, leadership), CLOCK, Duration.ofMinutes(2),
                Runnable::run);
    }

    private FilterOutcome filter(Pod pod, String... nodes) {
        return service.filter(new ExtenderJson.FilterArgs(pod, List.of(nodes), null), Terms.lead(leadership));
    }

    private static Pod pod() {
        Pod pod = TestObjects.gpuPod("ns", "p", 1, 1000, null);
        pod.getMetadata().setUid("uid-p");
        return pod;
    }

    @Test
    void aPlacementIsWrittenOnceAndReservedAndOnlyTheChosenNodePasses() {
        state.applyNode(EmbeddedClusterSeeder.gpuNode("n1", 1, "NVIDIA T4", 10000, 4));

        assertThat(filter(pod(), "n1", "gone")).isEqualTo(new FilterOutcome.Passed(List.of("n1")));

        assertThat(calls).hasSize(2).first().asString().startsWith("placement ns/p on n1 at 1796126400: GPU-");
        String allocation = calls.get(0).substring(calls.get(0).indexOf(": ") + 2, calls.get(0).indexOf(" sealed "));
        assertThat(calls.get(0)).endsWith(" sealed " + TestSeals.seal("uid-p", "n1", allocation));
        assertThat(calls.get(1)).isEqualTo("event Normal FilteringSucceed: find fit node(n1), 1 nodes not fit,"
                + " 1 nodes fit(n1:0.00)");
        assertThat(LedgerEntries.of(state, "uid-p")).get().satisfies(e -> assertThat(e.node()).isEqualTo("n1"));
    }

    @Test
    void aFailedPlacementWriteDropsTheReservation() {
        state.applyNode(EmbeddedClusterSeeder.gpuNode("n1", 1, "NVIDIA T4", 10000, 4));
        writeFailure = new KubernetesClientException("pods \"p\" not found", 404, null);

        // The answer does not wait for the write; the rollback is what the pod's bind will report.
        assertThat(filter(pod(), "n1")).isEqualTo(new FilterOutcome.Passed(List.of("n1")));

        assertThat(LedgerEntries.of(state, "uid-p")).isEmpty();
        assertThat(calls).element(1).isEqualTo("event Warning FilteringFailed: pod ns/p not found");
    }

    @Test
    void nothingIsWrittenWhenNoNodeFits() {
        assertThat(filter(pod(), "gone")).isEqualTo(new FilterOutcome.Unschedulable(
                new TreeMap<>(Map.of("gone", NodeRejection.of(FailureReason.NODE_UNREGISTERED)))));

        assertThat(calls).containsExactly("event Warning FilteringFailed: no available node, 1 nodes do not meet;"
                + " 1 nodes node unregistered(gone)");
    }

    /**
     * With hundreds of fitting candidates the success message is built only as far as the Event keeps it: what is
     * recorded equals HAMi's whole message (every score as {@code %.2f}) cut by the recorder.
     */
    @Test
    void theSuccessMessageOfAWideFilterIsWhatTheEventKeepsOfTheWholeOne() {
        float[] awkward = {0f, 0.005f, 0.125f, 1.005f, 2.675f, 33.333f, 99.995f, 100f};
        List<PlacementResult.NodeScore> fitting = IntStream.range(0, 500).mapToObj(i ->
                new PlacementResult.NodeScore("gpu-node-" + i, awkward[i % awkward.length] + (i / 8))).toList();
        PlacementResult.Placed placed = new PlacementResult.Placed("gpu-node-0",
                new PodAllocation(List.of()), fitting, new TreeMap<>());
        String whole = "find fit node(gpu-node-0), 0 nodes not fit, 500 nodes fit(" + fitting.stream()
                .map(f -> f.node() + ":" + String.format(Locale.ROOT, "%.2f", f.score()))
                .collect(Collectors.joining(",")) + ")";

        String message = FilterService.succeeded(placed, 500);

        assertThat(whole).hasSizeGreaterThan(5 * Events.MAX_MESSAGE);
        assertThat(message).hasSizeLessThan(Events.MAX_MESSAGE + 40);
        assertThat(Events.cut(message)).isEqualTo(Events.cut(whole));
        for (float score : awkward) {
            assertThat(FilterService.twoDecimals(score)).as("%s", score)
                    .isEqualTo(String.format(Locale.ROOT, "%.2f", score));
        }
    }
}
