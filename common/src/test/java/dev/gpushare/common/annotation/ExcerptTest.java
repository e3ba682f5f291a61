package dev.gpushare.common.annotation;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ExcerptTest {

    @Test
    void shortValuesAreQuotedUnchanged() {
        assertThat(Excerpt.of("default/pod-1")).isEqualTo("\"default/pod-1\"");
        assertThat(Excerpt.plain("default/pod-1")).isEqualTo("default/pod-1");
    }

    @Test
    void noInputCanStartALogLine() {
        assertThat(Excerpt.plain("u1\n2026-12-01 INFO forged\r\tx")).isEqualTo("u1\\n2026-12-01 INFO forged\\r\\tx");
        assertThat(Excerpt.plain("a\u2028b\u2029c\u0085d\u001be\u202ef")).isEqualTo(
                "a\\u2028b\\u2029c\\u0085d\\u001be\\u202ef");
        assertThat(Excerpt.plain("back\\slash")).isEqualTo("back\\\\slash");
    }

    @Test
    void quotesInsideAQuotedExcerptAreEscaped() {
        assertThat(Excerpt.of("say \"hi\"")).isEqualTo("\"say \\\"hi\\\"\"");
        assertThat(Excerpt.plain("say \"hi\"")).isEqualTo("say \"hi\"");
    }

    @Test
    void longValuesAreCutAndTheirLengthNamed() {
        assertThat(Excerpt.of("a".repeat(189_000))).isEqualTo("\"" + "a".repeat(64) + "... (189000 chars)\"");
        assertThat(Excerpt.plain("\n".repeat(100))).isEqualTo("\\n".repeat(32) + "... (100 chars)");
    }

    @Test
    void surrogatePairsAreKeptWholeAndLoneSurrogatesEscaped() {
        assertThat(Excerpt.plain("gpu \uD83D\uDE80")).isEqualTo("gpu \uD83D\uDE80");
        assertThat(Excerpt.plain("x\uD83Dy")).isEqualTo("x\\ud83dy");
    }

    @Test
    void nullIsWrittenAsNull() {
        assertThat(Excerpt.of(null)).isEqualTo("null");
        assertThat(Excerpt.plain(null)).isEqualTo("null");
    }
}
