package dev.gpushare.common.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * HAMi's {@code device-config.yaml} (spec section 10.2): the {@code nvidia} section fully, the other vendor sections
 * kept as read (plain unmodifiable maps, lists and scalars; a section whose value is empty is dropped).
 *
 * <p>Reading rules: unknown keys are ignored, as in HAMi (also the plugin-only keys such as
 * {@code deviceSplitCount}); keys a file omits (or sets to null) take the chart's values ({@link #defaults()}),
 * also {@code knownMigGeometries}, where HAMi would use Go zero values; an explicit empty list stays empty; an empty
 * file is the defaults. Inside a MIG template an absent {@code core}, {@code memory} or {@code count} is 0, as Go's
 * decoder leaves it (configs written before MIG cores existed have no {@code core}). An empty
 * {@code resourceMemoryName}, {@code resourceMemoryPercentageName}, {@code resourceCoreName} or
 * {@code resourcePriorityName} means that resource is not used, as in HAMi (with no memory resource every GPU request
 * is exclusive). HAMi v2.10's {@code migProfileAllowlist} is checked as HAMi checks it (models and profiles listed,
 * profiles {@code <n>g.<memory>}); absent, it is empty (no restriction). Validation, where HAMi would take anything and misbehave
 * later: {@code resourceCountName} is a non-blank string (without it no GPU request is ever seen), the other names
 * are empty or non-blank; {@code defaultMemory}, {@code defaultGPUNum} and {@code memoryFactor} are non-negative
 * int32 ({@code memoryFactor} 0 behaves as 1, as in HAMi); {@code defaultCores} is 0..100; {@code gpuCorePolicy} is
 * {@code default}, {@code force} or {@code disable}; a MIG template needs a {@code name} (the device plugin creates
 * the instance by it), and its {@code core} is 0..100, {@code memory} and {@code count} non-negative. Scalars must have their YAML type: {@code overwriteEnv: "false"}
 * and {@code defaultMemory: "1"} are errors, as in Go's YAML decoder. Every error names the key's path.
 */
public record DeviceConfig(NvidiaConfig nvidia, Map<String, Object> otherVendors) {

    private static final String DEFAULTS_RESOURCE = "default-device-config.yaml";

    public DeviceConfig {
        Objects.requireNonNull(nvidia, "nvidia");
        otherVendors = Map.copyOf(otherVendors);
    }

    /** The config the HAMi v2.8.3 chart renders with default values. */
    public static DeviceConfig defaults() {
        return Defaults.CONFIG;
    }

    /** A config from YAML text; omitted keys take the chart's values. */
    public static DeviceConfig parse(String yaml) throws DeviceConfigException {
        return DeviceConfigReader.read(yaml, defaults().nvidia());
    }

    /** A config from a file, e.g. the mounted ConfigMap key {@code device-config.yaml}. */
    public static DeviceConfig load(Path file) throws DeviceConfigException {
        String yaml;
        try {
            yaml = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DeviceConfigException("cannot read device config " + file + ": " + e, e);
        }
        try {
            return parse(yaml);
        } catch (DeviceConfigException e) {
            throw new DeviceConfigException(file + ": " + e.getMessage(), e);
        }
    }

    /** Loaded once, on first use; the resource ships in this jar, so failing to read it is a build defect. */
    private static final class Defaults {

        static final DeviceConfig CONFIG = load();

        private static DeviceConfig load() {
            try (InputStream in = DeviceConfig.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("missing resource " + DEFAULTS_RESOURCE);
                }
                return DeviceConfigReader.read(new String(in.readAllBytes(), StandardCharsets.UTF_8), null);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (DeviceConfigException e) {
                throw new IllegalStateException("invalid " + DEFAULTS_RESOURCE + ": " + e.getMessage(), e);
            }
        }
    }
}
