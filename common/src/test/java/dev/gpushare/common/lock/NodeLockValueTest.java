package dev.gpushare.common.lock;

import dev.gpushare.common.annotation.MalformedAnnotationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NodeLockValueTest {

    static final Instant T = Instant.parse("2026-05-19T08:33:25Z");

    @Test
    void parsesAndFormatsTheSpecExample() throws Exception {
        NodeLockValue lock = NodeLockValue.parse("2026-05-19T08:33:25Z,default,train-0");

        assertThat(lock).isEqualTo(NodeLockValue.heldBy(T, "default", "train-0"));
        assertThat(lock.format()).isEqualTo("2026-05-19T08:33:25Z,default,train-0");
        assertThat(lock.isHeldBy("default", "train-0")).isTrue();
        assertThat(lock.isHeldBy("default", "train-1")).isFalse();
    }

    @Test
    void legacyTimestampOnlyLockHasNoOwner() throws Exception {
        NodeLockValue lock = NodeLockValue.parse("2026-05-19T08:33:25Z");

        assertThat(lock).isEqualTo(new NodeLockValue(T, Optional.empty()));
        assertThat(lock.format()).isEqualTo("2026-05-19T08:33:25Z");
        assertThat(lock.isHeldBy("default", "train-0")).isFalse();
    }

    @Test
    void readsOtherZonesAndFractionsAsGoDoes() throws Exception {
        assertThat(NodeLockValue.parse("2026-05-19T16:33:25+08:00,ns,p").time()).isEqualTo(T);
        assertThat(NodeLockValue.parse("2026-05-19T08:33:25.123456789123Z").time())
                .isEqualTo(Instant.parse("2026-05-19T08:33:25.123456789Z"));
    }

    @Test
    void formatsUtcToTheSecondLikeGoRfc3339() {
        assertThat(NodeLockValue.heldBy(Instant.parse("2026-01-02T03:04:05.999Z"), "ns", "p").format())
                .isEqualTo("2026-01-02T03:04:05Z,ns,p");
    }

    @Test
    void wrongPartCountIsTheHamiMessage() {
        assertThatThrownBy(() -> NodeLockValue.parse("2026-05-19T08:33:25Z,default"))
                .isInstanceOf(MalformedAnnotationException.class)
                .hasMessage("malformed lock annotation: expected 3 parts, got 2 from \"2026-05-19T08:33:25Z,default\"");
        assertThatThrownBy(() -> NodeLockValue.parse("2026-05-19T08:33:25Z,a,b,c"))
                .hasMessageStartingWith("malformed lock annotation: expected 3 parts, got 4");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "yesterday", "2026-05-19 08:33:25", "2026-05-19T08:33:25", "2026-13-19T08:33:25Z",
        "2026-05-19T08:33:60Z", "2026-05-19T08:33:25+24:00", "2026-05-19T08:33:25Z,,p", "2026-05-19T08:33:25Z,ns,",
        "nope,ns,p", "2026-05-19t08:33:25z"})
    void rejectsMalformedValues(String value) {
        assertThatThrownBy(() -> NodeLockValue.parse(value)).isInstanceOf(MalformedAnnotationException.class)
                .hasMessageStartingWith("malformed lock annotation");
    }

    @Test
    void ownerMustBeWritable() {
        assertThatThrownBy(() -> NodeLockValue.heldBy(T, "ns", "a,b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NodeLockValue.heldBy(T, "", "p")).isInstanceOf(IllegalArgumentException.class);
    }
}
