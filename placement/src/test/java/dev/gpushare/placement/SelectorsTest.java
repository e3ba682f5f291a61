package dev.gpushare.placement;

import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.common.device.DeviceInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.gpushare.placement.Fixtures.A10;
import static dev.gpushare.placement.Fixtures.A100;
import static dev.gpushare.placement.Fixtures.ctr;
import static dev.gpushare.placement.Fixtures.engine;
import static dev.gpushare.placement.Fixtures.gpu;
import static dev.gpushare.placement.Fixtures.node;
import static dev.gpushare.placement.Fixtures.request;
import static dev.gpushare.placement.Fixtures.uuids;
import static org.assertj.core.api.Assertions.assertThat;

class SelectorsTest {

    @ParameterizedTest(name = "model \"{0}\", use \"{1}\", nouse \"{2}\" -> {3}")
    @CsvSource(delimiter = '|', nullValues = "null", ignoreLeadingAndTrailingWhitespace = false, textBlock = """
            NVIDIA A100-SXM4-40GB|A10|null|false
            NVIDIA A100-SXM4-40GB|A100|null|true
            NVIDIA A100-SXM4-40GB|a100|null|true
            NVIDIA A100-SXM4-40GB| A100 |null|true
            NVIDIA A100-SXM4-40GB|A10,|null|false
            NVIDIA A10|A10,|null|true
            NVIDIA A100-SXM4-40GB|A100-SXM4|null|true
            NVIDIA A100-SXM4-40GB|sxm4 40gb|null|true
            NVIDIA A100-SXM4-40GB|40G|null|false
            NVIDIA A100-SXM4-40GB|NVIDIA|null|true
            NVIDIA-Tesla T4|Tesla T4|null|true
            NVIDIA-Tesla T4|T4 Tesla|null|false
            NVIDIA-Tesla T4|A100,T4|null|true
            NVIDIA-Tesla T4|,|null|true
            NVIDIA-Tesla T4|-|null|true
            NVIDIA-Tesla T4|null|X,|true
            NVIDIA-Tesla T4|null|t4|false
            NVIDIA-Tesla T4|null|A100, T4|false
            NVIDIA A100-SXM4-40GB|null|A10|true
            NVIDIA A100-SXM4-40GB|A100|SXM4|false
            """)
    void typeSelectorsMatchWholeWords(String model, String use, String nouse, boolean accepted) {
        Map<String, String> annotations = new HashMap<>();
        putIfSet(annotations, HamiKeys.USE_GPU_TYPE, use);
        putIfSet(annotations, HamiKeys.NOUSE_GPU_TYPE, nouse);

        assertThat(GpuSelectors.of(annotations).acceptsType(ModelWords.of(model), DeviceInfo.MODE_HAMI_CORE))
                .isEqualTo(accepted);
    }

    @ParameterizedTest(name = "uuid {0}, use \"{1}\", nouse \"{2}\" -> {3}")
    @CsvSource(delimiter = '|', nullValues = "null", ignoreLeadingAndTrailingWhitespace = false, textBlock = """
            GPU-a| GPU-a , GPU-b|null|true
            GPU-a|GPU-b|null|false
            GPU-a|GPU-A|null|false
            GPU-a|GPU-a|GPU-a|false
            GPU-a|''|null|true
            GPU-a|,|null|true
            GPU-b|null|GPU-a,|true
            GPU-a|null| GPU-a|false
            GPU-a|GPU-a[0-1]|null|false
            """)
    void uuidSelectorsMatchExactTrimmedEntries(String uuid, String use, String nouse, boolean accepted) {
        Map<String, String> annotations = new HashMap<>();
        putIfSet(annotations, HamiKeys.USE_GPU_UUID, use);
        putIfSet(annotations, HamiKeys.NOUSE_GPU_UUID, nouse);

        assertThat(GpuSelectors.of(annotations).acceptsUuid(uuid)).isEqualTo(accepted);
    }

    @ParameterizedTest(name = "vgpu-mode \"{0}\" on a {1} GPU -> {2}")
    @CsvSource(delimiter = '|', ignoreLeadingAndTrailingWhitespace = false, textBlock = """
            hami-core|hami-core|true
             hami-core |hami-core|true
            mig|hami-core|false
            mig|mig|true
            mps|mig|false
            mps||true
            |mig|true
            """)
    void modeSelectorNeedsTheGpusMode(String annotation, String deviceMode, boolean accepted) {
        Map<String, String> annotations = Map.of(HamiKeys.VGPU_MODE, annotation == null ? "" : annotation);

        assertThat(GpuSelectors.of(annotations).acceptsType(ModelWords.of(A100), deviceMode == null ? "" : deviceMode))
                .isEqualTo(accepted);
    }

    @Test
    void a10DoesNotLandOnAnA100() {
        NodeSnapshot node = node("n").gpus(gpu("a100", A100, 10, 40960, 100, 0), gpu("a10", A10, 10, 24576, 100, 0))
                .build();

        assertThat(uuids(engine().place(request(ctr(1, 1000, 10), HamiKeys.USE_GPU_TYPE, "A10"), List.of(node))))
                .containsExactly(List.of("a10"));
        assertThat(uuids(engine().place(request(ctr(1, 1000, 10), HamiKeys.USE_GPU_TYPE, "A100"), List.of(node))))
                .containsExactly(List.of("a100"));
    }

    @Test
    void modelWordsAreUpperCasedRunsOfLettersAndDigits() {
        assertThat(ModelWords.of("NVIDIA A100-SXM4-40GB")).containsExactly("NVIDIA", "A100", "SXM4", "40GB");
        assertThat(ModelWords.of("  -- ")).isEmpty();
    }

    private static void putIfSet(Map<String, String> annotations, String key, String value) {
        if (value != null) {
            annotations.put(key, value);
        }
    }
}
