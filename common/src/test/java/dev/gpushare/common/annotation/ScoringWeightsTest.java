package dev.gpushare.common.annotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code hami.io/device-scoring-weights} as HAMi v2.10's {@code ParseDeviceScoringWeights} reads it. */
class ScoringWeightsTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "slot=1,core=1,memory=3|1|1|3",
        "memory=2, slot = 0 ,core=5|0|5|2",
        "slot=+4,core=0,memory=0|4|0|0",
        "slot=9223372036854775807,core=0,memory=0|9223372036854775807|0|0",
    })
    void valid(String value, long slot, long core, long memory) throws Exception {
        assertThat(ScoringWeights.parse(value)).isEqualTo(new ScoringWeights(slot, core, memory));
    }

    @Test
    void absentIsEqualWeights() throws Exception {
        assertThat(ScoringWeights.parse(null)).isEqualTo(new ScoringWeights(1, 1, 1));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "slot=1,core=1|\"slot=1,core=1\": expected slot, core and memory weights",
        "slot=1,core=1,memory=1,|\"slot=1,core=1,memory=1,\": expected slot, core and memory weights",
        "''|\"\": expected slot, core and memory weights",
        "slot=1,core,memory=1|\"slot=1,core,memory=1\": expected key=value entries",
        "slot=1,slot=1,memory=1|\"slot=1,slot=1,memory=1\": duplicate \"slot\" weight",
        "slot=1,core=x,memory=1|\"slot=1,core=x,memory=1\": \"core\" weight must be an integer",
        "slot=1,core=1.5,memory=1|\"slot=1,core=1.5,memory=1\": \"core\" weight must be an integer",
        "slot=1,core=99999999999999999999,memory=1|\"slot=1,core=99999999999999999999,memory=1\": \"core\" weight must be an integer",
        "slot=-1,core=1,memory=1|\"slot=-1,core=1,memory=1\": \"slot\" weight must not be negative",
        "slot=1,gpu=1,memory=1|\"slot=1,gpu=1,memory=1\": unknown weight \"gpu\" (slot, core or memory)",
        "slot=0,core=0,memory=0|\"slot=0,core=0,memory=0\": at least one weight must be positive",
    })
    void invalidNamesTheAnnotation(String value, String problem) {
        assertThatThrownBy(() -> ScoringWeights.parse(value)).isInstanceOf(MalformedAnnotationException.class)
                .hasMessage("annotation hami.io/device-scoring-weights: " + problem);
    }

    @Test
    void aLongValueIsCutInTheMessage() {
        String value = "slot=1,core=1,memory=" + "1".repeat(10_000);
        assertThatThrownBy(() -> ScoringWeights.parse(value)).hasMessageContaining("... (10021 chars)")
                .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(200));
    }
}
