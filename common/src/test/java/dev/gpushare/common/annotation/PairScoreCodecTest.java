package dev.gpushare.common.annotation;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PairScoreCodecTest {

    @Test
    void decodesTheSpecExample() throws Exception {
        Map<String, Map<String, Integer>> scores = PairScoreCodec.decode(
                "[{\"uuid\":\"GPU-a1\",\"score\":{\"GPU-b2\":100,\"GPU-c3\":20}},"
                        + "{\"uuid\":\"GPU-b2\",\"score\":{\"GPU-a1\":100}}]");

        assertThat(scores).containsExactly(
                Map.entry("GPU-a1", Map.of("GPU-b2", 100, "GPU-c3", 20)),
                Map.entry("GPU-b2", Map.of("GPU-a1", 100)));
        assertThat(List.copyOf(scores.get("GPU-a1").keySet())).containsExactly("GPU-b2", "GPU-c3");
    }

    @Test
    void nullEmptyAndUuidlessEntriesGiveNoScores() throws Exception {
        assertThat(PairScoreCodec.decode("null")).isEmpty();
        assertThat(PairScoreCodec.decode("[]")).isEmpty();
        assertThat(PairScoreCodec.decode("[{\"score\":{\"GPU-b2\":1}},null,{\"uuid\":\"GPU-a1\"}]"))
                .containsExactly(Map.entry("GPU-a1", Map.of()));
    }

    @Test
    void mergesRepeatedEntriesLaterScoreWins() throws Exception {
        assertThat(PairScoreCodec.decode("[{\"uuid\":\"a\",\"score\":{\"b\":1,\"c\":2}},"
                + "{\"UUID\":\"a\",\"Score\":{\"b\":5}}]"))
                .containsExactly(Map.entry("a", Map.of("b", 5, "c", 2)));
    }

    @Test
    void resultIsUnmodifiable() throws Exception {
        Map<String, Map<String, Integer>> scores = PairScoreCodec.decode("[{\"uuid\":\"a\",\"score\":{\"b\":1}}]");

        assertThatThrownBy(() -> scores.get("a").put("c", 1)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> scores.put("x", Map.of())).isInstanceOf(UnsupportedOperationException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"uuid\":\"a\"}",
        "[1]",
        "[{\"uuid\":1}]",
        "[{\"uuid\":\"a\",\"score\":[1]}]",
        "[{\"uuid\":\"a\",\"score\":{\"b\":\"100\"}}]",
        "[{\"uuid\":\"a\",\"score\":{\"b\":1.5}}]",
        "[{\"uuid\":\"a\",\"score\":{\"b\":3000000000}}]",
        "[{\"uuid\":\"a\"",
        ""
    })
    void rejectsStructuralErrors(String value) {
        assertThatThrownBy(() -> PairScoreCodec.decode(value)).isInstanceOf(MalformedAnnotationException.class)
                .hasMessageStartingWith("hami.io/node-nvidia-score");
    }
}
