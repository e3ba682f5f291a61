package dev.gpushare.placement;

import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.common.device.DeviceUsage;
import dev.gpushare.common.device.PodAllocation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;

import static dev.gpushare.placement.Fixtures.node;
import static dev.gpushare.placement.Fixtures.pod;
import static dev.gpushare.placement.Fixtures.t4;
import static dev.gpushare.placement.Fixtures.used;
import static org.assertj.core.api.Assertions.assertThat;

class NodeSnapshotFactoryTest {

    @Test
    void usageSumsEveryContainerOfEveryPodAndIgnoresUnknownGpus() {
        PodAllocation twoContainers = new PodAllocation(List.of(List.of(used("a", 1000, 10)), List.of(),
                List.of(used("a", 2000, 20), used("b", 500, 5))));

        NodeSnapshot node = node("n").gpus(t4("a"), t4("b"))
                .pods(twoContainers, pod(used("elsewhere", 9999, 99)), pod(used("b", 100, 1))).build();

        assertThat(node.gpus()).extracting(GpuSnapshot::usage)
                .containsExactly(new DeviceUsage(2, 3000, 30), new DeviceUsage(2, 600, 6));
    }

    @Test
    void gpusKeepRegistrationOrder() {
        NodeSnapshot node = node("n").gpus(t4("z"), t4("a"), t4("m")).build();

        assertThat(node.gpus()).extracting(g -> g.device().id()).containsExactly("z", "a", "m");
    }

    @Test
    void pairScoresAreReadByGpuIndex() {
        NodeSnapshot node = node("n").gpus(t4("a"), t4("b"), t4("c")).link("a", "c", 120).build();

        assertThat(node.pairScore(0, 2)).isEqualTo(120);
        assertThat(node.pairScore(2, 0)).isEqualTo(120);
        assertThat(node.pairScore(0, 1)).isZero();
        assertThat(node("n").gpus(t4("a"), t4("b")).build().pairScore(0, 1)).isZero();
    }

    @Test
    void unregistrableNodeCarriesItsProblem() {
        NodeSnapshot node = Fixtures.FACTORY.unregistrable("n", Map.of("zone", "a"), "register annotation: bad JSON");

        assertThat(node.registrationProblem()).hasValue("register annotation: bad JSON");
        assertThat(node.gpus()).isEmpty();
        assertThat(node.labels()).containsEntry("zone", "a");
    }

    @ParameterizedTest(name = "state \"{0}\" -> upgrading {1}")
    @CsvSource(textBlock = """
            '',false
            upgrade-done,false
            upgrade-required,true
            drain-required,true
            upgrade-failed,true
            """)
    void driverUpgradeState(String state, boolean upgrading) {
        NodeSnapshot node = node("n").gpus(t4("a")).label(HamiKeys.GPU_DRIVER_UPGRADE_STATE, state).build();

        assertThat(node.driverUpgrading()).isEqualTo(upgrading);
    }

    @Test
    void nodeWithoutTheUpgradeLabelIsNotUpgrading() {
        assertThat(node("n").gpus(t4("a")).build().driverUpgrading()).isFalse();
    }
}
