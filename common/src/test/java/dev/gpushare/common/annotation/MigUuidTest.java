package dev.gpushare.common.annotation;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MigUuidTest {

    @Test
    void splitsTheMigSuffix() throws Exception {
        MigUuid uuid = MigUuid.parse("GPU-a1[1-2]");

        assertThat(uuid.base()).isEqualTo("GPU-a1");
        assertThat(uuid.mig()).contains(new MigUuid.MigSlot(1, 2));
        assertThat(uuid.format()).isEqualTo("GPU-a1[1-2]");
    }

    @Test
    void aPlainUuidHasNoMigSlot() throws Exception {
        assertThat(MigUuid.parse("GPU-3f1c-77")).isEqualTo(new MigUuid("GPU-3f1c-77", Optional.empty()));
        assertThat(MigUuid.whole("GPU-a1").format()).isEqualTo("GPU-a1");
    }

    @Test
    void formatsTheSuffixTheDevicePluginReads() {
        assertThat(MigUuid.of("GPU-a1", new MigUuid.MigSlot(0, 13)).format()).isEqualTo("GPU-a1[0-13]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"GPU-a1[1-2", "GPU-a1[12]", "GPU-a1[-1-2]", "GPU-a1[1-+2]", "[1-2]", "GPU-a1[1-2]x",
        "GPU-a1[1-2][3-4]", "GPU-a1]", "GPU-a1[a-b]", "GPU-a1[]"})
    void rejectsMalformedSuffixes(String uuid) {
        assertThatThrownBy(() -> MigUuid.parse(uuid)).isInstanceOf(MalformedAnnotationException.class);
    }
}
