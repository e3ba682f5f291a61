package dev.gpushare.placement;

import dev.gpushare.common.annotation.AllocationEncoding;
import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.common.device.ContainerDevice;
import dev.gpushare.common.device.PodAllocation;
import dev.gpushare.common.request.ContainerRequest;
import dev.gpushare.common.request.PodRequest;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.gpushare.placement.Fixtures.ctr;
import static dev.gpushare.placement.Fixtures.engine;
import static dev.gpushare.placement.Fixtures.named;
import static dev.gpushare.placement.Fixtures.node;
import static dev.gpushare.placement.Fixtures.none;
import static dev.gpushare.placement.Fixtures.placed;
import static dev.gpushare.placement.Fixtures.reasonOf;
import static dev.gpushare.placement.Fixtures.request;
import static dev.gpushare.placement.Fixtures.t4;
import static dev.gpushare.placement.Fixtures.uuids;
import static org.assertj.core.api.Assertions.assertThat;

/** Several containers of one pod: order, visibility of earlier containers' usage, encodings. */
class ContainersTest {

    private static final NodeSnapshot ONE_GPU = node("n").gpus(t4("a")).build();
    private static final NodeSnapshot TWO_GPUS = node("n").gpus(t4("a"), t4("b")).build();

    private static PodRequest regular(ContainerRequest... containers) {
        return new PodRequest(List.of(), List.of(containers));
    }

    @Test
    void laterContainersSeeTheUsageOfEarlierOnes() {
        PodRequest pod = regular(named("one", false, 1, 8000, 0), named("two", false, 1, 8000, 0));

        assertThat(reasonOf(engine().place(request(pod, null), List.of(ONE_GPU))))
                .isEqualTo("1/1 CardInsufficientMemory");
        assertThat(uuids(engine().place(request(pod, null), List.of(TWO_GPUS))))
                .containsExactly(List.of("b"), List.of("a"));
    }

    @Test
    void exclusiveContainersNeedTheirOwnGpus() {
        PodRequest pod = regular(named("one", false, 1, 0, 100), named("two", false, 1, 0, 100));

        assertThat(reasonOf(engine().place(request(pod, null), List.of(ONE_GPU))))
                .isEqualTo("1/1 CardInsufficientCore");
        assertThat(uuids(engine().place(request(pod, null), List.of(TWO_GPUS))))
                .containsExactly(List.of("b"), List.of("a"));
    }

    @Test
    void containersWithoutGpusKeepTheirPlace() {
        PodRequest pod = regular(none("sidecar"), named("main", false, 1, 3000, 30), none("logger"));

        PlacementResult.Placed result = placed(engine().place(request(pod, null), List.of(ONE_GPU)));

        assertThat(result.allocation()).isEqualTo(new PodAllocation(List.of(List.of(),
                List.of(new ContainerDevice("a", "NVIDIA", 3000, 30)), List.of())));
    }

    @Test
    void coresAboveOneHundredAreCapped() {
        PlacementResult.Placed result = placed(engine().place(request(ctr(1, 1000, 120)), List.of(ONE_GPU)));

        assertThat(result.allocation().devices()).containsExactly(new ContainerDevice("a", "NVIDIA", 1000, 100));
    }

    @Test
    void v29PlacesInitContainersFirst() {
        PodRequest pod = new PodRequest(List.of(named("init", true, 1, 0, 100)),
                List.of(named("main", false, 1, 0, 100)));

        PlacementResult result = engine(AllocationEncoding.V2_9).place(request(pod, null), List.of(TWO_GPUS));

        assertThat(uuids(result)).containsExactly(List.of("b"), List.of("a"));
        assertThat(reasonOf(engine(AllocationEncoding.V2_9).place(request(pod, null), List.of(ONE_GPU))))
                .isEqualTo("1/1 CardInsufficientCore");
    }

    @Test
    void v29GivesInitContainersWithoutGpusAnEmptyEntry() {
        PodRequest pod = new PodRequest(List.of(none("init")), List.of(named("main", false, 1, 1000, 10)));

        assertThat(uuids(engine(AllocationEncoding.V2_9).place(request(pod, null), List.of(ONE_GPU))))
                .containsExactly(List.of(), List.of("a"));
    }

    @Test
    void v28LeavesInitContainersWithoutGpusOut() {
        PodRequest pod = new PodRequest(List.of(none("init")), List.of(named("main", false, 1, 1000, 10)));

        assertThat(uuids(engine(AllocationEncoding.V2_8).place(request(pod, null), List.of(ONE_GPU))))
                .containsExactly(List.of("a"));
    }

    @Test
    void v28RejectsAGpuInitContainerAndNamesTheSetting() {
        PodRequest pod = new PodRequest(List.of(named("warmup", true, 1, 1000, 10)),
                List.of(named("main", false, 1, 1000, 10)));

        PlacementResult result = engine(AllocationEncoding.V2_8).place(request(pod, null), List.of(ONE_GPU));

        assertThat(result).isInstanceOf(PlacementResult.InvalidPod.class);
        assertThat(((PlacementResult.InvalidPod) result).message())
                .contains("init container \"warmup\"")
                .contains("a v2.8 device plugin would give it the GPUs of a regular container")
                .contains("hami.compat.allocation-encoding=v2.9");
    }

    @Test
    void podWithoutGpuRequestsIsNotPlaced() {
        assertThat(engine().place(request(regular(none("web")), null), List.of(ONE_GPU)))
                .isEqualTo(new PlacementResult.NoGpuRequested());
    }

    @Test
    void invalidNumaBindIsAnInvalidPod() {
        assertThat(engine().place(request(ctr(1, 1000, 10), HamiKeys.NUMA_BIND, "yes"), List.of(ONE_GPU)))
                .isEqualTo(new PlacementResult.InvalidPod(
                        "pod ns/pod: annotation nvidia.com/numa-bind: \"yes\" is not a boolean (true or false)"));
    }

    @Test
    void negativeValuesAreAnInvalidPod() {
        PodRequest pod = regular(new ContainerRequest("main", false, 1, -5, ContainerRequest.PERCENTAGE_NOT_GIVEN,
                10, -1));

        assertThat(engine().place(request(pod, null), List.of(ONE_GPU)))
                .isEqualTo(new PlacementResult.InvalidPod(
                        "pod ns/pod: container \"main\": GPU memory -5 MiB is negative"));
    }
}
