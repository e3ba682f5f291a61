package dev.gpushare.placement;

import dev.gpushare.common.annotation.ScoringWeights;

import dev.gpushare.common.device.DeviceInfo;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.gpushare.placement.Fixtures.node;
import static dev.gpushare.placement.Fixtures.pod;
import static dev.gpushare.placement.Fixtures.t4;
import static dev.gpushare.placement.Fixtures.used;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ScoresTest {

    @Test
    void deviceScoreOfTheSpecsWorkedExample() {
        // T4: 10 slots, 15360 MiB, 100 %; holds 1 task, 3000 MiB, 30 %; request 1 GPU, 3000 MiB, 30 %.
        assertThat(Scores.device(ScoringWeights.EQUAL, 1, 30, 3000, 1, 10, 30, 100, 3000, 15360)).isEqualTo(11.90625f);
    }

    @Test
    void deviceScoreCountsAPercentageAtItsShare() {
        // 50 % of 15360 MiB is 7680 MiB, half the card: HAMi v2.8 counts it as nothing (50 / 100 == 0).
        assertThat(Scores.device(ScoringWeights.EQUAL, 1, 0, 7680, 0, 10, 0, 100, 0, 15360)).isEqualTo(6f);
    }

    @Test
    void zeroCapacitiesScoreZeroNotNaN() {
        assertThat(Scores.device(ScoringWeights.EQUAL, 1, 30, 3000, 0, 0, 0, 0, 0, 0)).isZero();
        assertThat(Scores.node(0, 0, 0, 0, 0, 0)).isZero();
        NodeSnapshot empty = Fixtures.FACTORY.snapshot("n", Map.of(),
                List.of(new DeviceInfo("z", 0, 0, 0, 0, "NVIDIA X", 0, "hami-core", true)), Map.of(),
                List.of());
        assertThat(empty.score()).isZero();
    }

    @Test
    void nodeScoreSumsOverAllGpusBeforeThePod() {
        NodeSnapshot node = node("n").gpus(t4("a"), t4("b")).pods(pod(used("a", 3000, 30))).build();

        // 10 x (1/20 + 30/200 + 3000/30720)
        assertThat(node.score()).isCloseTo(2.9765625f, within(1e-6f));
    }
}
