package dev.gpushare.common.config;

import java.util.List;

/**
 * The {@code nvidia} section of HAMi's {@code device-config.yaml} (spec section 10.2). Field names are the
 * YAML keys. Defaults are the chart's (see {@link DeviceConfig#defaults()}); {@code migProfileAllowlist} (HAMi
 * v2.10) is empty when the file has none.
 */
public record NvidiaConfig(
        String resourceCountName,
        String resourceMemoryName,
        String resourceMemoryPercentageName,
        String resourceCoreName,
        String resourcePriorityName,
        boolean overwriteEnv,
        int defaultMemory,
        int defaultCores,
        int defaultGPUNum,
        int memoryFactor,
        String gpuCorePolicy,
        String runtimeClassName,
        List<MigGeometryRule> knownMigGeometries,
        List<AllowedMigProfiles> migProfileAllowlist) {

    public NvidiaConfig {
        knownMigGeometries = List.copyOf(knownMigGeometries);
        migProfileAllowlist = List.copyOf(migProfileAllowlist);
    }
}
