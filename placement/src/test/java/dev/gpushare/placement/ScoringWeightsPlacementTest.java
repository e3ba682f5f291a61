package dev.gpushare.placement;

import static dev.gpushare.placement.Fixtures.A100;
import static dev.gpushare.placement.Fixtures.ctr;
import static dev.gpushare.placement.Fixtures.engine;
import static dev.gpushare.placement.Fixtures.gpu;
import static dev.gpushare.placement.Fixtures.node;
import static dev.gpushare.placement.Fixtures.pod;
import static dev.gpushare.placement.Fixtures.request;
import static dev.gpushare.placement.Fixtures.used;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.gpushare.common.annotation.HamiKeys;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code hami.io/device-scoring-weights} changes which GPU a policy prefers, never whether one fits. GPU a runs three
 * small tasks (3 slots, 30 cores, 3000 MiB), GPU b one big one (1 slot, 10 cores, 30000 MiB), both A100 40960 MiB with
 * 10 slots; the container asks 1000 MiB and 10 cores. Scores with the request, equal weights: a 8.98, b 11.57;
 * {@code slot=1,core=1,memory=0}: a 8, b 4.
 */
class ScoringWeightsPlacementTest {

    static Stream<Arguments> choices() {
        return Stream.of(
                arguments(GpuPolicy.SPREAD, null, "a"),
                arguments(GpuPolicy.SPREAD, "slot=1,core=1,memory=1", "a"),
                arguments(GpuPolicy.SPREAD, "slot=1,core=1,memory=0", "b"),
                arguments(GpuPolicy.SPREAD, "slot=0,core=0,memory=5", "a"),
                arguments(GpuPolicy.BINPACK, null, "b"),
                arguments(GpuPolicy.BINPACK, "slot=1,core=1,memory=0", "a"),
                arguments(GpuPolicy.BINPACK, " memory = 7 , slot = 0 , core = 0 ", "b"));
    }

    @ParameterizedTest(name = "{0} weights={1} -> {2}")
    @MethodSource
    void choices(GpuPolicy policy, String weights, String chosen) {
        NodeSnapshot node = node("n").gpus(gpu("a", A100, 10, 40960, 100, 0), gpu("b", A100, 10, 40960, 100, 0))
                .pods(pod(used("a", 1000, 10)), pod(used("a", 1000, 10)), pod(used("a", 1000, 10)),
                        pod(used("b", 30000, 10))).build();
        PlacementRequest request = weights == null ? request(ctr(1, 1000, 10))
                : request(ctr(1, 1000, 10), HamiKeys.DEVICE_SCORING_WEIGHTS, weights);

        PlacementResult result = engine(NodePolicy.BINPACK, policy).place(request, List.of(node));

        assertThat(Fixtures.uuids(result)).containsExactly(List.of(chosen));
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                arguments("slot=1,core=1", "\"slot=1,core=1\": expected slot, core and memory weights"),
                arguments("slot=0,core=0,memory=0", "\"slot=0,core=0,memory=0\": at least one weight must be"
                        + " positive"),
                arguments("slot=-1,core=1,memory=1", "\"slot=-1,core=1,memory=1\": \"slot\" weight must not be"
                        + " negative"));
    }

    /** Invalid weights: the pod is unschedulable until the annotation is fixed, and the answer names it. */
    @ParameterizedTest(name = "{0}")
    @MethodSource
    void invalid(String weights, String problem) {
        NodeSnapshot node = node("n").gpus(gpu("a", A100, 10, 40960, 100, 0)).build();

        PlacementResult result = engine().place(request(ctr(1, 1000, 10), HamiKeys.DEVICE_SCORING_WEIGHTS, weights),
                List.of(node));

        assertThat(result).isInstanceOf(PlacementResult.InvalidPod.class);
        assertThat(((PlacementResult.InvalidPod) result).message()).endsWith(
                "annotation hami.io/device-scoring-weights: " + problem);
    }
}
