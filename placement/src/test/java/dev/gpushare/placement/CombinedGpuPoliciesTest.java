package dev.gpushare.placement;

import static dev.gpushare.placement.Fixtures.A100;
import static dev.gpushare.placement.Fixtures.ctr;
import static dev.gpushare.placement.Fixtures.engine;
import static dev.gpushare.placement.Fixtures.gpu;
import static dev.gpushare.placement.Fixtures.node;
import static dev.gpushare.placement.Fixtures.pod;
import static dev.gpushare.placement.Fixtures.reasonOf;
import static dev.gpushare.placement.Fixtures.request;
import static dev.gpushare.placement.Fixtures.used;
import static dev.gpushare.placement.Fixtures.uuids;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.gpushare.common.annotation.HamiKeys;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Comma-combined {@code hami.io/gpu-scheduler-policy} values and v2.10's {@code mutex} and {@code numa}, as HAMi
 * v2.10 orders and filters the GPUs. The node: {@code a} (NUMA 0, free), {@code b} (NUMA 0, one task of 20000 MiB
 * and 50 cores), {@code c} (NUMA 1, free), {@code d} (NUMA 1, one task of 5000 MiB and 10 cores), all A100 40960 MiB
 * with 10 slots, registered in that order. The container asks one GPU, 1000 MiB and 10 cores. Scores: b highest,
 * then d, then a and c alike.
 */
class CombinedGpuPoliciesTest {

    private static final NodeSnapshot NODE = node("n").gpus(gpu("a", A100, 10, 40960, 100, 0),
                    gpu("b", A100, 10, 40960, 100, 0), gpu("c", A100, 10, 40960, 100, 1),
                    gpu("d", A100, 10, 40960, 100, 1))
            .pods(pod(used("b", 20000, 50)), pod(used("d", 5000, 10))).build();

    static Stream<Arguments> choices() {
        return Stream.of(
                // Single values keep their meaning: the NUMA node first, then the score.
                arguments("binpack", null, "b"),
                arguments("spread", null, "c"),
                arguments("binpack", "true", "b"),
                // v2.10's single values.
                arguments("numa", null, "d"),
                arguments("mutex", null, "c"),
                // Chains: each key breaks the ties of the ones before; exact ties go to the GPU registered last.
                arguments("binpack,numa", null, "b"),
                arguments("binpack, binpack", null, "b"),
                arguments("spread,numa", null, "c"),
                arguments("spread,binpack", null, "c"),
                arguments("numa,binpack", null, "d"),
                arguments("numa,spread", null, "c"),
                arguments("binpack,spread", null, "b"),
                // numa-bind puts numa first in a chain.
                arguments("binpack,spread", "true", "d"),
                // mutex filters out the used GPUs wherever it stands; with no sort key the chain is spread.
                arguments("mutex,binpack", null, "c"),
                arguments("binpack,mutex", null, "c"),
                arguments("mutex,topology-aware", null, "c"),
                arguments("mutex,numa", null, "c"));
    }

    @ParameterizedTest(name = "{0} numa-bind={1} -> {2}")
    @MethodSource
    void choices(String policy, String numaBind, String chosen) {
        PlacementRequest request = numaBind == null
                ? request(ctr(1, 1000, 10), HamiKeys.GPU_SCHEDULER_POLICY, policy)
                : request(ctr(1, 1000, 10), HamiKeys.GPU_SCHEDULER_POLICY, policy, HamiKeys.NUMA_BIND, numaBind);

        PlacementResult result = engine(NodePolicy.BINPACK, GpuPolicy.SPREAD).place(request, List.of(NODE));

        assertThat(uuids(result)).containsExactly(List.of(chosen));
    }

    @Test
    void mutexTakesOnlyUnusedGpusForSeveral() {
        assertThat(uuids(engine().place(request(ctr(2, 1000, 10), HamiKeys.GPU_SCHEDULER_POLICY, "mutex,binpack"),
                List.of(NODE)))).containsExactly(List.of("c", "a"));
    }

    @Test
    void mutexRefusesUsedGpusAsAnExclusiveConflict() {
        PlacementResult result = engine().place(request(ctr(3, 1000, 10), HamiKeys.GPU_SCHEDULER_POLICY, "mutex"),
                List.of(NODE));

        assertThat(reasonOf(result))
                .isEqualTo("2/4 AllocatedCardsInsufficientRequest, 2/4 ExclusiveDeviceAllocateConflict");
    }

    @Test
    void aFullGpuIsStillTimeSlicingExhaustedUnderMutex() {
        NodeSnapshot full = node("n").gpus(gpu("x", A100, 1, 40960, 100, 0)).pods(pod(used("x", 1000, 10)))
                .build();

        assertThat(reasonOf(engine().place(request(ctr(1, 1000, 10), HamiKeys.GPU_SCHEDULER_POLICY, "mutex"),
                List.of(full)))).isEqualTo("1/1 CardTimeSlicingExhausted");
    }

    @Test
    void topologyInAListChoosesTheBestLinkedPair() {
        NodeSnapshot linked = node("n").gpus(gpu("a", A100, 10, 40960, 100, 0), gpu("b", A100, 10, 40960, 100, 0),
                        gpu("c", A100, 10, 40960, 100, 0), gpu("d", A100, 10, 40960, 100, 0))
                .link("a", "b", 100).link("c", "d", 10).link("a", "c", 20).build();

        assertThat(uuids(engine().place(request(ctr(2, 1000, 10), HamiKeys.GPU_SCHEDULER_POLICY,
                "binpack,topology-aware"), List.of(linked)))).containsExactly(List.of("b", "a"));
    }

    @Test
    void anInvalidListMakesThePodInvalidNamingTheAnnotation() {
        PlacementResult result = engine().place(request(ctr(1, 1000, 10), HamiKeys.GPU_SCHEDULER_POLICY,
                "binpack,pack"), List.of(NODE));

        assertThat(result).isEqualTo(new PlacementResult.InvalidPod("pod ns/pod: annotation"
                + " hami.io/gpu-scheduler-policy: \"binpack,pack\": entry \"pack\" is not one of binpack, spread,"
                + " topology-aware, mutex, numa"));
    }
}
