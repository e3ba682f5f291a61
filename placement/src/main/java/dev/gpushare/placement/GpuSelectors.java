package dev.gpushare.placement;

import dev.gpushare.common.annotation.HamiKeys;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The pod's GPU selectors, parsed once per placement (spec 4.7 {@code checkType} and the UUID filter, with our
 * deliberate changes): {@code nvidia.com/use-gputype}, {@code nouse-gputype} (model words, see
 * {@link ModelWords}), {@code nvidia.com/use-gpuuuid}, {@code nouse-gpuuuid} (exact UUIDs) and
 * {@code nvidia.com/vgpu-mode}. List entries are trimmed and empty entries ignored; a list with no entry left sets
 * no constraint. {@code use} and {@code nouse} both apply.
 */
final class GpuSelectors {

    private final List<String[]> useTypes;
    private final List<String[]> nouseTypes;
    private final Set<String> useUuids;
    private final Set<String> nouseUuids;
    /** Trimmed {@code nvidia.com/vgpu-mode}, or null when absent or blank. */
    private final String mode;

    private GpuSelectors(List<String[]> useTypes, List<String[]> nouseTypes, Set<String> useUuids,
                         Set<String> nouseUuids, String mode) {
        this.useTypes = useTypes;
        this.nouseTypes = nouseTypes;
        this.useUuids = useUuids;
        this.nouseUuids = nouseUuids;
        this.mode = mode;
    }

    static GpuSelectors of(Map<String, String> annotations) {
        String mode = annotations.getOrDefault(HamiKeys.VGPU_MODE, "").trim();
        return new GpuSelectors(
                typeEntries(annotations.get(HamiKeys.USE_GPU_TYPE)),
                typeEntries(annotations.get(HamiKeys.NOUSE_GPU_TYPE)),
                uuidEntries(annotations.get(HamiKeys.USE_GPU_UUID)),
                uuidEntries(annotations.get(HamiKeys.NOUSE_GPU_UUID)),
                mode.isEmpty() ? null : mode);
    }

    /**
     * The model and mode test, both reported as {@code CardTypeMismatch}. The mode test is HAMi's: the annotation
     * value must contain the GPU's registered mode (a GPU without a mode always passes).
     */
    boolean acceptsType(String[] modelWords, String deviceMode) {
        if (!useTypes.isEmpty() && !anyRun(modelWords, useTypes)) {
            return false;
        }
        if (anyRun(modelWords, nouseTypes)) {
            return false;
        }
        return mode == null || deviceMode.isEmpty() || mode.contains(deviceMode);
    }

    boolean acceptsUuid(String uuid) {
        return (useUuids.isEmpty() || useUuids.contains(uuid)) && !nouseUuids.contains(uuid);
    }

    private static boolean anyRun(String[] modelWords, List<String[]> entries) {
        for (String[] entry : entries) {
            if (ModelWords.containsRun(modelWords, entry)) {
                return true;
            }
        }
        return false;
    }

    /** Entries without any letter or digit (e.g. {@code "-"}) have no words and are ignored like empty ones. */
    private static List<String[]> typeEntries(String value) {
        List<String[]> entries = new ArrayList<>();
        if (value != null) {
            for (String entry : value.split(",")) {
                String[] words = ModelWords.of(entry);
                if (words.length > 0) {
                    entries.add(words);
                }
            }
        }
        return List.copyOf(entries);
    }

    private static Set<String> uuidEntries(String value) {
        Set<String> entries = new HashSet<>();
        if (value != null) {
            for (String entry : value.split(",")) {
                String uuid = entry.trim();
                if (!uuid.isEmpty()) {
                    entries.add(uuid);
                }
            }
        }
        return Set.copyOf(entries);
    }
}
