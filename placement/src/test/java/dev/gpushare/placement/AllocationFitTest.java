package dev.gpushare.placement;

import static dev.gpushare.placement.Fixtures.node;
import static dev.gpushare.placement.Fixtures.pod;
import static dev.gpushare.placement.Fixtures.t4;
import static dev.gpushare.placement.Fixtures.unhealthy;
import static dev.gpushare.placement.Fixtures.used;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gpushare.common.device.PodAllocation;
import java.util.List;
import org.junit.jupiter.api.Test;

class AllocationFitTest {

    private final NodeSnapshot half = node("n1").gpus(t4("GPU-a"), t4("GPU-b"))
            .pods(pod(used("GPU-a", 8000, 50))).build();

    @Test
    void aPlacementWithinWhatIsLeftFits() {
        assertThat(AllocationFit.problem(half, pod(used("GPU-a", 7360, 50), used("GPU-b", 15360, 100)))).isEmpty();
    }

    @Test
    void memoryCoresAndSlotsAreCheckedAgainstWhatTheLedgerHolds() {
        assertThat(AllocationFit.problem(half, pod(used("GPU-a", 7361, 10))))
                .hasValue("GPU GPU-a would hold 15361 MiB of 15360");
        assertThat(AllocationFit.problem(half, pod(used("GPU-a", 100, 51))))
                .hasValue("GPU GPU-a would use 101% of 100% cores");
        NodeSnapshot full = node("n1").gpus(t4("GPU-a")).pods(pod(used("GPU-a", 1, 1)), pod(used("GPU-a", 1, 1)),
                pod(used("GPU-a", 1, 1)), pod(used("GPU-a", 1, 1)), pod(used("GPU-a", 1, 1)), pod(used("GPU-a", 1, 1)),
                pod(used("GPU-a", 1, 1)), pod(used("GPU-a", 1, 1)), pod(used("GPU-a", 1, 1)),
                pod(used("GPU-a", 1, 1))).build();
        assertThat(AllocationFit.problem(full, pod(used("GPU-a", 1, 1))))
                .hasValue("GPU GPU-a would run 11 tasks of 10");
    }

    @Test
    void twoContainersOnOneGpuAddUp() {
        assertThat(AllocationFit.problem(half, new PodAllocation(List.of(
                List.of(used("GPU-a", 3000, 25)), List.of(used("GPU-a", 3000, 26))))))
                .hasValue("GPU GPU-a would use 101% of 100% cores");
    }

    @Test
    void unknownOrUnhealthyGpusDoNotFit() {
        assertThat(AllocationFit.problem(half, pod(used("GPU-z", 1, 1))))
                .hasValue("GPU GPU-z is not registered on node n1");
        NodeSnapshot sick = node("n2").gpus(unhealthy(t4("GPU-s"))).build();
        assertThat(AllocationFit.problem(sick, pod(used("GPU-s", 1, 1))))
                .hasValue("GPU GPU-s on node n2 is unhealthy");
    }
}
