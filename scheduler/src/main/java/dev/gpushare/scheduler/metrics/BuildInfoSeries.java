package dev.gpushare.scheduler.metrics;

import java.util.List;
import java.util.Objects;

/**
 * What {@code hami_build_info} says about this build, under the label names of HAMi's {@code pkg/metrics}: HAMi's
 * {@code go_version} carries the Java runtime version here, {@code platform} is {@code <os>/<arch>} as Go spells
 * it.
 */
public record BuildInfoSeries(String version, String revision, String buildDate, String runtimeVersion, String compiler,
                        String platform) {

    /** HAMi's value for what a build did not record. */
    public static final String UNKNOWN = "unknown";

    public BuildInfoSeries {
        version = orUnknown(version);
        revision = orUnknown(revision);
        buildDate = orUnknown(buildDate);
        runtimeVersion = orUnknown(runtimeVersion);
        compiler = orUnknown(compiler);
        platform = orUnknown(platform);
    }

    /** {@code hami_build_info}: one series with a constant value of 1. */
    public GaugeFamily family() {
        return new GaugeFamily("hami_build_info", "hami build metadata exposed as labels with a constant value of 1.",
                List.of("version", "revision", "build_date", "go_version", "compiler", "platform"),
                List.of(new GaugeFamily.Sample(List.of(version, revision, buildDate, runtimeVersion, compiler,
                        platform), 1)));
    }

    /** Go's names for the JVM's {@code os.arch} values that differ ({@code amd64} and {@code aarch64}). */
    public static String platform(String osName, String osArch) {
        String os = Objects.requireNonNullElse(osName, UNKNOWN).toLowerCase(java.util.Locale.ROOT);
        String arch = Objects.requireNonNullElse(osArch, UNKNOWN);
        if (os.startsWith("mac")) {
            os = "darwin";
        } else if (os.startsWith("windows")) {
            os = "windows";
        }
        arch = switch (arch) {
            case "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> arch;
        };
        return os + "/" + arch;
    }

    private static String orUnknown(String value) {
        return value == null || value.isBlank() ? UNKNOWN : value;
    }
}
