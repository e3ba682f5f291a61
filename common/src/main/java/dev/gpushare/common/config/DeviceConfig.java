package dev.gpushare.common.config;

import java.util.Map;

/**
 * HAMi's {@code device-config.yaml}: the {@code nvidia} section fully, the other vendor sections kept as read.
 * Loading and defaults: implemented in this package (issue: foundation).
 */
public record DeviceConfig(NvidiaConfig nvidia, Map<String, Object> otherVendors) {

    public DeviceConfig {
        otherVendors = Map.copyOf(otherVendors);
    }
}
