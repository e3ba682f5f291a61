package dev.gpushare.common.config;

import java.util.List;

/**
 * The {@code nvidia} section of HAMi's {@code device-config.yaml} (spec section 10.2). Field names are the
 * YAML keys. Defaults are the chart's (see {@link DeviceConfig#defaults()}).
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
        List<MigGeometryRule> knownMigGeometries) {
}
