package dev.gpushare.placement;

import dev.gpushare.common.annotation.AllocationEncoding;
import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.common.device.DeviceInfo;
import dev.gpushare.common.request.PodRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.gpushare.placement.Fixtures.A100;
import static dev.gpushare.placement.Fixtures.ctr;
import static dev.gpushare.placement.Fixtures.engine;
import static dev.gpushare.placement.Fixtures.gpu;
import static dev.gpushare.placement.Fixtures.migGpu;
import static dev.gpushare.placement.Fixtures.node;
import static dev.gpushare.placement.Fixtures.percent;
import static dev.gpushare.placement.Fixtures.placed;
import static dev.gpushare.placement.Fixtures.pod;
import static dev.gpushare.placement.Fixtures.reasonOf;
import static dev.gpushare.placement.Fixtures.request;
import static dev.gpushare.placement.Fixtures.t4;
import static dev.gpushare.placement.Fixtures.unhealthy;
import static dev.gpushare.placement.Fixtures.used;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** One row per reason of spec 4.7 (and our node-level ones): the exact text a rejected node gets. */
class FitReasonsTest {

    static Stream<Arguments> rejections() {
        return Stream.of(
                arguments("unhealthy GPU",
                        node("n").gpus(unhealthy(t4("a"))).build(),
                        request(ctr(1, 1000, 10)), "1/1 CardNotHealth"),
                arguments("the only GPU cordoned",
                        node("n").gpus(t4("GPU-a")).cordon("GPU-a").build(),
                        request(ctr(1, 1000, 10)), "1/1 CardCordoned"),
                arguments("cordon list with blanks and stray commas",
                        node("n").gpus(t4("GPU-a"), t4("GPU-b")).cordon(" GPU-b ,, GPU-a,").build(),
                        request(ctr(1, 1000, 10)), "2/2 CardCordoned"),
                arguments("one GPU cordoned, the other full",
                        node("n").gpus(t4("GPU-a"), gpu("GPU-b", A100, 1, 40960, 100, 0)).cordon("GPU-a")
                                .pods(pod(used("GPU-b", 100, 0))).build(),
                        request(ctr(1, 100, 0)), "1/2 CardCordoned, 1/2 CardTimeSlicingExhausted"),
                arguments("an unhealthy GPU is reported unhealthy even when cordoned (HAMi's order)",
                        node("n").gpus(unhealthy(t4("GPU-a"))).cordon("GPU-a").build(),
                        request(ctr(1, 1000, 10)), "1/1 CardNotHealth"),
                arguments("use-gputype names another model",
                        node("n").gpus(t4("a")).build(),
                        request(ctr(1, 1000, 10), HamiKeys.USE_GPU_TYPE, "A100"), "1/1 CardTypeMismatch"),
                arguments("nouse-gputype names the model",
                        node("n").gpus(t4("a")).build(),
                        request(ctr(1, 1000, 10), HamiKeys.NOUSE_GPU_TYPE, "t4"), "1/1 CardTypeMismatch"),
                arguments("vgpu-mode names another mode",
                        node("n").gpus(t4("a")).build(),
                        request(ctr(1, 1000, 10), HamiKeys.VGPU_MODE, "mig"), "1/1 CardTypeMismatch"),
                arguments("use-gpuuuid names another GPU",
                        node("n").gpus(t4("GPU-a")).build(),
                        request(ctr(1, 1000, 10), HamiKeys.USE_GPU_UUID, "GPU-b"), "1/1 CardUuidMismatch"),
                arguments("nouse-gpuuuid names the GPU",
                        node("n").gpus(t4("GPU-a")).build(),
                        request(ctr(1, 1000, 10), HamiKeys.NOUSE_GPU_UUID, " GPU-a "), "1/1 CardUuidMismatch"),
                arguments("every slot taken",
                        node("n").gpus(gpu("a", A100, 2, 40960, 100, 0))
                                .pods(pod(used("a", 100, 0)), pod(used("a", 100, 0))).build(),
                        request(ctr(1, 100, 0)), "1/1 CardTimeSlicingExhausted"),
                arguments("not enough memory left",
                        node("n").gpus(t4("a")).pods(pod(used("a", 15000, 0))).build(),
                        request(ctr(1, 1000, 0)), "1/1 CardInsufficientMemory"),
                arguments("50 % is 7680 MiB of 15360, one MiB more than is left",
                        node("n").gpus(t4("a")).pods(pod(used("a", 7681, 0))).build(),
                        request(percent(1, 50, 0)), "1/1 CardInsufficientMemory"),
                arguments("not enough cores left",
                        node("n").gpus(t4("a")).pods(pod(used("a", 1000, 80))).build(),
                        request(ctr(1, 1000, 30)), "1/1 CardInsufficientCore"),
                arguments("gpucores 100 on a GPU another task uses",
                        node("n").gpus(t4("a")).pods(pod(used("a", 1000, 0))).build(),
                        request(ctr(1, 1000, 100)), "1/1 ExclusiveDeviceAllocateConflict"),
                arguments("no cores left for a request without cores",
                        node("n").gpus(t4("a")).pods(pod(used("a", 1000, 100))).build(),
                        request(ctr(1, 1000, 0)), "1/1 CardComputeUnitsExhausted"),
                arguments("numa-bind: one fitting GPU per NUMA node, two asked",
                        node("n").gpus(gpu("a", A100, 10, 40960, 100, 0), gpu("b", A100, 10, 40960, 100, 1)).build(),
                        request(ctr(2, 1000, 10), HamiKeys.NUMA_BIND, "true"),
                        "1/2 AllocatedCardsInsufficientRequest, 1/2 NumaNotFit"),
                arguments("MIG: no free instance big enough in the geometry in force",
                        node("n").gpus(migGpu("m")).pods(pod(used("m[0-0]", 6144, 25))).build(),
                        request(ctr(1, 12288, 0)), "1/1 CardNotFoundCustomFilterRule"),
                arguments("MIG: model without known geometries",
                        node("n").gpus(new DeviceInfo("m", 0, 10, 81920, 100, "NVIDIA H999", 0, "mig", true)).build(),
                        request(ctr(1, 1000, 0)), "1/1 CardNotFoundCustomFilterRule"),
                arguments("more GPUs asked than the node has",
                        node("n").gpus(t4("a")).build(),
                        request(ctr(2, 1000, 10)), "NodeInsufficientDevice"),
                arguments("fewer fitting GPUs than asked",
                        node("n").gpus(t4("a"), t4("b")).pods(pod(used("a", 15360, 0))).build(),
                        request(ctr(2, 1000, 0)), "1/2 AllocatedCardsInsufficientRequest, 1/2 CardInsufficientMemory"),
                arguments("namespace memory quota",
                        node("n").gpus(t4("a")).build(),
                        request(new PodRequest(List.of(), List.of(ctr(1, 2000, 0))),
                                new NamespaceQuota(4000, 3000, 0, 0)), "1/1 ResourceQuotaNotFit"),
                arguments("namespace cores quota",
                        node("n").gpus(t4("a")).build(),
                        request(new PodRequest(List.of(), List.of(ctr(1, 2000, 30))),
                                new NamespaceQuota(0, 0, 100, 80)), "1/1 ResourceQuotaNotFit"),
                arguments("reasons sorted by name",
                        node("n").gpus(gpu("a", A100, 10, 40960, 100, 0), t4("b"), gpu("c", A100, 10, 40960, 100, 0),
                                t4("d")).pods(pod(used("b", 15000, 0), used("d", 15000, 0))).build(),
                        request(ctr(1, 1000, 0), HamiKeys.USE_GPU_TYPE, "T4"),
                        "2/4 CardInsufficientMemory, 2/4 CardTypeMismatch"),
                arguments("registration could not be decoded",
                        Fixtures.FACTORY.unregistrable("n", Map.of(), "register annotation: not JSON"),
                        request(ctr(1, 1000, 10)), "NodeRegistrationInvalid"),
                arguments("driver upgrade in progress",
                        node("n").gpus(t4("a")).label(HamiKeys.GPU_DRIVER_UPGRADE_STATE, "upgrade-required").build(),
                        request(ctr(1, 1000, 10)), "NodeDriverUpgrading"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejections")
    void rejectsWithReason(String situation, NodeSnapshot node, PlacementRequest request, String reason) {
        assertThat(reasonOf(engine().place(request, List.of(node)))).isEqualTo(reason);
    }

    @Test
    void percentageIsExactAndFitsWhenExactlyEnoughIsLeft() {
        NodeSnapshot node = node("n").gpus(t4("a")).pods(pod(used("a", 7680, 0))).build();

        PlacementResult.Placed result = placed(engine().place(request(percent(1, 50, 0)), List.of(node)));

        assertThat(result.allocation().containers().get(0).get(0).usedmem()).isEqualTo(7680);
    }

    @Test
    void percentageRoundsDownOnOddMemory() {
        NodeSnapshot node = node("n").gpus(gpu("a", A100, 10, 15361, 100, 0)).build();

        PlacementResult.Placed result = placed(engine().place(request(percent(1, 33, 0)), List.of(node)));

        assertThat(result.allocation().containers().get(0).get(0).usedmem()).isEqualTo(15361 * 33 / 100);
    }

    @Test
    void quotaCountsEarlierContainersOfThePod() {
        NodeSnapshot node = node("n").gpus(t4("a"), t4("b")).build();
        PodRequest twoContainers = new PodRequest(List.of(),
                List.of(Fixtures.named("first", false, 1, 2000, 0), Fixtures.named("second", false, 1, 2000, 0)));

        PlacementResult result = engine().place(request(twoContainers, new NamespaceQuota(3999, 0, 0, 0)),
                List.of(node));

        assertThat(reasonOf(result)).isEqualTo("2/2 ResourceQuotaNotFit");
    }

    @Test
    void quotaWithRoomPlaces() {
        NodeSnapshot node = node("n").gpus(t4("a")).build();

        PlacementResult result = engine().place(
                request(new PodRequest(List.of(), List.of(ctr(1, 1000, 50))), new NamespaceQuota(4000, 3000, 100, 50)),
                List.of(node));

        assertThat(placed(result).node()).isEqualTo("n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "upgrade-done"})
    void nodeNotUpgradingTakesPods(String state) {
        NodeSnapshot node = node("n").gpus(t4("a")).label(HamiKeys.GPU_DRIVER_UPGRADE_STATE, state).build();

        assertThat(placed(engine().place(request(ctr(1, 1000, 10)), List.of(node))).node()).isEqualTo("n");
    }

    @Test
    void upgradeCheckCanBeSwitchedOff() {
        NodeSnapshot node = node("n").gpus(t4("a"))
                .label(HamiKeys.GPU_DRIVER_UPGRADE_STATE, "upgrade-failed").build();
        PlacementEngine engine = new PlacementEngine(
                new PlacementSettings(NodePolicy.BINPACK, GpuPolicy.SPREAD, false, AllocationEncoding.V2_8));

        assertThat(placed(engine.place(request(ctr(1, 1000, 10)), List.of(node))).node()).isEqualTo("n");
    }

    @Test
    void failedNodesAreReportedBesideThePlacement() {
        NodeSnapshot full = node("full").gpus(t4("a")).pods(pod(used("a", 15360, 0))).build();
        NodeSnapshot free = node("free").gpus(t4("b")).build();

        PlacementResult.Placed result = placed(engine().place(request(ctr(1, 1000, 10)), List.of(full, free)));

        assertThat(result.node()).isEqualTo("free");
        assertThat(Fixtures.wireTexts(result.failedNodes())).containsExactly(Map.entry("full", "1/1 CardInsufficientMemory"));
    }

    @Test
    void unhealthyCardsAreSkippedNotFatal() {
        NodeSnapshot node = node("n").gpus(t4("a"), unhealthy(t4("b"))).build();

        assertThat(Fixtures.uuids(engine().place(request(ctr(1, 1000, 10)), List.of(node))))
                .containsExactly(List.of("a"));
    }

    /** A cordoned GPU keeps the pods it runs (they count) but takes none; the others do; unresolvable alone. */
    @Test
    void cordonedCardsTakeNoNewPodsAndAreNotResolvable() {
        NodeSnapshot node = node("n").gpus(t4("GPU-a"), t4("GPU-b")).cordon("GPU-b")
                .pods(pod(used("GPU-b", 1000, 10))).build();

        assertThat(Fixtures.uuids(engine().place(request(ctr(1, 1000, 10)), List.of(node))))
                .containsExactly(List.of("GPU-a"));
        assertThat(node.gpus().get(1).usage().used()).isEqualTo(1);
        NodeSnapshot all = node("n").gpus(t4("GPU-a")).cordon("GPU-a").build();
        PlacementResult result = engine().place(request(ctr(1, 1000, 10)), List.of(all));
        assertThat(result).isInstanceOfSatisfying(PlacementResult.Unschedulable.class,
                u -> assertThat(u.failedNodes().get("n").resolvable()).isFalse());
    }
}
