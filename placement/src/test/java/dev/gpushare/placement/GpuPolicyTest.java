package dev.gpushare.placement;

import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.common.device.DeviceInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;

import static dev.gpushare.placement.Fixtures.A100;
import static dev.gpushare.placement.Fixtures.ctr;
import static dev.gpushare.placement.Fixtures.engine;
import static dev.gpushare.placement.Fixtures.gpu;
import static dev.gpushare.placement.Fixtures.node;
import static dev.gpushare.placement.Fixtures.pod;
import static dev.gpushare.placement.Fixtures.request;
import static dev.gpushare.placement.Fixtures.t4;
import static dev.gpushare.placement.Fixtures.used;
import static dev.gpushare.placement.Fixtures.uuids;
import static org.assertj.core.api.Assertions.assertThat;

class GpuPolicyTest {

    private static final NodeSnapshot ONE_BUSY_ONE_FREE =
            node("n").gpus(t4("busy"), t4("free")).pods(pod(used("busy", 5000, 20))).build();

    @Test
    void spreadTakesTheEmptiestGpu() {
        assertThat(uuids(engine(NodePolicy.BINPACK, GpuPolicy.SPREAD).place(request(ctr(1, 1000, 10)),
                List.of(ONE_BUSY_ONE_FREE)))).containsExactly(List.of("free"));
    }

    @Test
    void binpackTakesTheFullestGpu() {
        assertThat(uuids(engine(NodePolicy.BINPACK, GpuPolicy.BINPACK).place(request(ctr(1, 1000, 10)),
                List.of(ONE_BUSY_ONE_FREE)))).containsExactly(List.of("busy"));
    }

    @Test
    void podAnnotationOverridesTheDefaultGpuPolicy() {
        PlacementResult result = engine(NodePolicy.BINPACK, GpuPolicy.SPREAD).place(
                request(ctr(1, 1000, 10), HamiKeys.GPU_SCHEDULER_POLICY, "binpack"), List.of(ONE_BUSY_ONE_FREE));

        assertThat(uuids(result)).containsExactly(List.of("busy"));
    }

    @Test
    void numaNodeComesBeforeScore() {
        // binpack: lowest NUMA node first; spread: highest first, whatever the GPUs' usage.
        NodeSnapshot node = node("n").gpus(gpu("numa0-free", A100, 10, 40960, 100, 0),
                gpu("numa1-busy", A100, 10, 40960, 100, 1)).pods(pod(used("numa1-busy", 20000, 50))).build();

        assertThat(uuids(engine(NodePolicy.BINPACK, GpuPolicy.BINPACK).place(request(ctr(1, 1000, 10)),
                List.of(node)))).containsExactly(List.of("numa0-free"));
        assertThat(uuids(engine(NodePolicy.BINPACK, GpuPolicy.SPREAD).place(request(ctr(1, 1000, 10)),
                List.of(node)))).containsExactly(List.of("numa1-busy"));
    }

    @ParameterizedTest
    @EnumSource(value = GpuPolicy.class, names = {"BINPACK", "SPREAD"})
    void exactTiesGoToTheGpuRegisteredLast(GpuPolicy policy) {
        NodeSnapshot node = node("n").gpus(t4("first"), t4("second"), t4("third")).build();

        assertThat(uuids(engine(NodePolicy.BINPACK, policy).place(request(ctr(2, 1000, 10)), List.of(node))))
                .containsExactly(List.of("third", "second"));
    }

    @Test
    void spreadTakesTheEmptiestGpusForSeveral() {
        NodeSnapshot node = node("n").gpus(t4("a"), t4("b"), t4("c"), t4("d"))
                .pods(pod(used("a", 1000, 10)), pod(used("c", 4000, 10)), pod(used("d", 2000, 10))).build();

        assertThat(uuids(engine().place(request(ctr(2, 1000, 10)), List.of(node))))
                .containsExactly(List.of("b", "a"));
    }

    @Test
    void unknownPolicyIsAnInvalidPod() {
        PlacementResult result = engine().place(
                request(ctr(1, 1000, 10), HamiKeys.GPU_SCHEDULER_POLICY, "bin-pack"), List.of(ONE_BUSY_ONE_FREE));

        assertThat(result).isEqualTo(new PlacementResult.InvalidPod("pod ns/pod: annotation"
                + " hami.io/gpu-scheduler-policy: \"bin-pack\" is not one of binpack, spread, topology-aware, mutex,"
                + " numa"));
    }

    // topology-aware: walk order for identical free GPUs is registration order reversed (d, c, b, a).
    private static final NodeSnapshot LINKED = node("n").gpus(t4("a"), t4("b"), t4("c"), t4("d"))
            .link("a", "b", 10).link("c", "d", 100).link("a", "c", 20).build();

    @Test
    void topologyTakesTheBestLinkedSet() {
        assertThat(uuids(engine(NodePolicy.BINPACK, GpuPolicy.TOPOLOGY_AWARE).place(request(ctr(2, 1000, 10)),
                List.of(LINKED)))).containsExactly(List.of("d", "c"));
    }

    @Test
    void topologyTakesTheBestLinkedSetAmongThoseThatFit() {
        NodeSnapshot node = node("n").gpus(t4("a"), t4("b"), t4("c"), t4("d"))
                .link("a", "b", 10).link("c", "d", 100).link("a", "c", 20)
                .pods(pod(used("d", 15360, 0))).build();

        assertThat(uuids(engine(NodePolicy.BINPACK, GpuPolicy.TOPOLOGY_AWARE).place(request(ctr(2, 1000, 10)),
                List.of(node)))).containsExactly(List.of("c", "a"));
    }

    @Test
    void topologyTakesTheWorstConnectedGpuForOne() {
        // link sums: a 30, b 10, c 120, d 100
        assertThat(uuids(engine(NodePolicy.BINPACK, GpuPolicy.TOPOLOGY_AWARE).place(request(ctr(1, 1000, 10)),
                List.of(LINKED)))).containsExactly(List.of("b"));
    }

    @Test
    void topologyWithoutPairScoresStillAllocatesTheFirstCandidates() {
        NodeSnapshot node = node("n").gpus(t4("a"), t4("b"), t4("c"), t4("d")).build();

        assertThat(uuids(engine(NodePolicy.BINPACK, GpuPolicy.TOPOLOGY_AWARE).place(request(ctr(2, 1000, 10)),
                List.of(node)))).containsExactly(List.of("d", "c"));
    }

    @Test
    void topologyWithNumaBindUsesTheFirstNumaNodeWithEnoughGpus() {
        // walk: NUMA 1 (b, a) first, then NUMA 0 (c); HAMi would keep only the last group and fail.
        NodeSnapshot node = node("n").gpus(gpu("a", A100, 10, 40960, 100, 1), gpu("b", A100, 10, 40960, 100, 1),
                gpu("c", A100, 10, 40960, 100, 0)).build();

        assertThat(uuids(engine(NodePolicy.BINPACK, GpuPolicy.TOPOLOGY_AWARE).place(
                request(ctr(2, 1000, 10), HamiKeys.NUMA_BIND, "true"), List.of(node))))
                .containsExactly(List.of("b", "a"));
    }

    @Test
    void numaBindTakesAllGpusFromOneNumaNode() {
        NodeSnapshot node = node("n").gpus(gpu("a", A100, 10, 40960, 100, 0), gpu("b", A100, 10, 40960, 100, 1),
                gpu("c", A100, 10, 40960, 100, 0)).build();

        assertThat(uuids(engine().place(request(ctr(2, 1000, 10), HamiKeys.NUMA_BIND, "1"), List.of(node))))
                .containsExactly(List.of("c", "a"));
    }

    @Test
    void topologyOnAHugeNodeFallsBackToGreedyAndFindsTheLinkedGroup() {
        List<DeviceInfo> gpus = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            gpus.add(t4("g" + i));
        }
        Fixtures.NodeBuilder builder = node("n").gpus(gpus.toArray(DeviceInfo[]::new));
        for (int i = 0; i < 12; i++) {
            for (int j = i + 1; j < 12; j++) {
                builder.link("g" + (2 * i), "g" + (2 * j), 100);
            }
        }

        List<String> chosen = uuids(engine(NodePolicy.BINPACK, GpuPolicy.TOPOLOGY_AWARE).place(
                request(ctr(12, 1000, 10)), List.of(builder.build()))).get(0);

        assertThat(TopologySelection.subsetsAtMost(24, 12, TopologySelection.MAX_SUBSETS)).isFalse();
        assertThat(chosen).containsExactlyInAnyOrder("g0", "g2", "g4", "g6", "g8", "g10", "g12", "g14", "g16",
                "g18", "g20", "g22");
    }

    @Test
    void subsetCountGuard() {
        assertThat(TopologySelection.subsetsAtMost(8, 4, 70)).isTrue();
        assertThat(TopologySelection.subsetsAtMost(8, 4, 69)).isFalse();
        assertThat(TopologySelection.subsetsAtMost(64, 32, TopologySelection.MAX_SUBSETS)).isFalse();
    }
}
