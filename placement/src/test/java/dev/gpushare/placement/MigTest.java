package dev.gpushare.placement;

import dev.gpushare.common.config.MigGeometryRule;
import dev.gpushare.common.config.MigTemplate;
import dev.gpushare.common.device.ContainerDevice;
import dev.gpushare.common.device.PodAllocation;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.OptionalInt;

import static dev.gpushare.placement.Fixtures.ctr;
import static dev.gpushare.placement.Fixtures.engine;
import static dev.gpushare.placement.Fixtures.migGpu;
import static dev.gpushare.placement.Fixtures.node;
import static dev.gpushare.placement.Fixtures.placed;
import static dev.gpushare.placement.Fixtures.pod;
import static dev.gpushare.placement.Fixtures.reasonOf;
import static dev.gpushare.placement.Fixtures.request;
import static dev.gpushare.placement.Fixtures.t4;
import static dev.gpushare.placement.Fixtures.used;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** MIG with the static geometries (spec 4.10); the A30 rule of {@link Fixtures#MIG_RULES}. */
class MigTest {

    private static List<ContainerDevice> devices(NodeSnapshot node, int nums, int memreq) {
        return placed(engine().place(request(ctr(nums, memreq, 0)), List.of(node))).allocation().devices();
    }

    @Test
    void aFreeGpuTakesTheFirstGeometryWithABigEnoughInstance() {
        NodeSnapshot node = node("n").gpus(migGpu("m")).build();

        assertThat(devices(node, 1, 5000)).containsExactly(new ContainerDevice("m[0-0]", "NVIDIA", 6144, 25));
        assertThat(devices(node, 1, 12000)).containsExactly(new ContainerDevice("m[1-0]", "NVIDIA", 12288, 50));
        assertThat(devices(node, 1, 20000)).containsExactly(new ContainerDevice("m[2-0]", "NVIDIA", 24576, 100));
    }

    @Test
    void aGpuInUseKeepsItsGeometryAndTakesTheNextFreeSlot() {
        NodeSnapshot node = node("n").gpus(migGpu("m")).pods(pod(used("m[0-0]", 6144, 25)),
                pod(used("m[0-2]", 6144, 25))).build();

        assertThat(devices(node, 1, 1000)).containsExactly(new ContainerDevice("m[0-1]", "NVIDIA", 6144, 25));
    }

    /** HAMi's "more GPUs than the node has" check counts physical GPUs, so the node needs two here. */
    private static final PodAllocation FILLS_FULL = pod(used("full[2-0]", 24576, 100));

    @Test
    void oneContainerCanTakeSeveralInstancesOfOneGpu() {
        NodeSnapshot node = node("n").gpus(migGpu("full"), migGpu("m")).pods(FILLS_FULL).build();

        assertThat(devices(node, 2, 5000)).containsExactly(new ContainerDevice("m[0-0]", "NVIDIA", 6144, 25),
                new ContainerDevice("m[0-1]", "NVIDIA", 6144, 25));
    }

    @Test
    void aGpuRunsOutOfInstances() {
        NodeSnapshot node = node("n").gpus(migGpu("full"), migGpu("m"))
                .pods(FILLS_FULL, pod(used("m[1-0]", 12288, 50))).build();

        assertThat(devices(node, 1, 12288)).containsExactly(new ContainerDevice("m[1-1]", "NVIDIA", 12288, 50));
        assertThat(reasonOf(engine().place(request(ctr(2, 12288, 0)), List.of(node))))
                .isEqualTo("1/2 AllocatedCardsInsufficientRequest, 1/2 CardInsufficientMemory");
    }

    @Test
    void snapshotRecordsTheLayoutOfExistingInstances() {
        NodeSnapshot node = node("n").gpus(migGpu("m")).pods(pod(used("m[1-1]", 12288, 50))).build();

        MigLayout layout = node.gpus().get(0).mig();
        assertThat(layout.currentGeometry()).isEqualTo(OptionalInt.of(1));
        assertThat(layout.usedSlots()).containsExactly(1);
        assertThat(layout.geometries()).hasSize(3);
        assertThat(node.gpus().get(0).usage().usedmem()).isEqualTo(12288);
        assertThat(node.gpus().get(0).healthy()).isTrue();
    }

    @Test
    void aMigInstanceOnAHamiCoreGpuMakesItUnhealthy() {
        NodeSnapshot node = node("n").gpus(t4("a")).pods(pod(used("a[0-1]", 1000, 0))).build();

        assertThat(node.gpus().get(0).healthy()).isFalse();
        assertThat(reasonOf(engine().place(request(ctr(1, 1000, 10)), List.of(node)))).isEqualTo("1/1 CardNotHealth");
    }

    @Test
    void instancesThatDoNotFitTheLayoutMakeTheGpuUnhealthy() {
        assertThat(node("n").gpus(migGpu("m")).pods(pod(used("m[0-9]", 6144, 25))).build().gpus().get(0).healthy())
                .as("slot beyond the geometry").isFalse();
        assertThat(node("n").gpus(migGpu("m")).pods(pod(used("m[0-0]", 6144, 25)), pod(used("m[1-1]", 12288, 50)))
                .build().gpus().get(0).healthy()).as("two geometries at once").isFalse();
        assertThat(node("n").gpus(migGpu("m")).pods(pod(used("m[x]", 6144, 25))).build().gpus().get(0).healthy())
                .as("malformed suffix").isFalse();
    }

    @Test
    void absurdGeometriesAreRejectedAtConfiguration() {
        List<MigGeometryRule> rules = List.of(new MigGeometryRule(List.of("A30"),
                List.of(List.of(new MigTemplate("1g", 1, 100, 1_000_000)))));

        assertThatThrownBy(() -> new NodeSnapshotFactory(rules))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("more than 64 instances");
    }
}
