package dev.gpushare.webhook;

import java.util.Objects;

import dev.gpushare.common.annotation.AllocationEncoding;
import dev.gpushare.common.config.DeviceConfig;

/**
 * What the pod mutator needs to know.
 *
 * @param schedulerName                  our profile's name ({@code hami.scheduler-name}), set on GPU pods
 * @param forceOverwriteDefaultScheduler whether pods naming {@code default-scheduler} are taken over
 *                                       ({@code hami.webhook.force-overwrite-default-scheduler})
 * @param deviceConfig                   resource names and defaults ({@code hami.device-config-file}; the webhook
 *                                       reads its {@code nvidia} section)
 * @param allocationEncoding             {@code hami.compat.allocation-encoding}: with {@code V2_8}, GPU init
 *                                       containers are refused
 */
public record MutatorConfig(String schedulerName, boolean forceOverwriteDefaultScheduler, DeviceConfig deviceConfig,
                            AllocationEncoding allocationEncoding) {

    public MutatorConfig {
        Objects.requireNonNull(schedulerName, "schedulerName");
        if (schedulerName.isBlank()) {
            throw new IllegalArgumentException("schedulerName must not be blank");
        }
        Objects.requireNonNull(deviceConfig, "deviceConfig");
        Objects.requireNonNull(allocationEncoding, "allocationEncoding");
    }
}
