package dev.gpushare.common.annotation;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HandshakeTest {

    @Test
    void requestingAndDeletedAreGoDateTimeInUtc() throws Exception {
        assertThat(Handshake.parse("Deleted_2026-05-19 08:33:25"))
                .isEqualTo(new Handshake.Deleted(Instant.parse("2026-05-19T08:33:25Z")));
        assertThat(Handshake.parse("Requesting_2026-05-19 08:33:25"))
                .isEqualTo(new Handshake.Requesting(Instant.parse("2026-05-19T08:33:25Z")));
    }

    @Test
    void reportedValuesOfOlderPluginsAreKeptVerbatim() throws Exception {
        String goTime = "Reported 2024-03-01 10:00:00.123456789 +0800 CST m=+12.5";

        assertThat(Handshake.parse(goTime)).isEqualTo(new Handshake.Reported(goTime));
        assertThat(Handshake.parse("Reported_2024-03-01 10:00:00"))
                .isEqualTo(new Handshake.Reported("Reported_2024-03-01 10:00:00"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Requesting", "Requesting_", "Requesting_2026-05-19T08:33:25Z",
        "Deleted_2026-02-30 08:33:25", "Deleted_2026-05-19 8:33:25", "Deleted_2026-05-19 24:00:00",
        "deleted_2026-05-19 08:33:25", "Requesting_+12026-05-19 08:33:25"})
    void rejectsOtherValues(String value) {
        assertThatThrownBy(() -> Handshake.parse(value)).isInstanceOf(MalformedAnnotationException.class)
                .hasMessageStartingWith("hami.io/node-handshake");
    }
}
