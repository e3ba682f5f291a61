package dev.gpushare.webhook;

import java.util.OptionalLong;

/**
 * What a namespace may still use under its {@code limits.nvidia.com/gpumem} and {@code limits.nvidia.com/gpucores}
 * ResourceQuota entries (limit minus what its pods already hold); empty where the namespace has no such limit.
 * Memory is in the ledger's unit: MiB already multiplied by {@code memoryFactor}, like the limit.
 */
public record QuotaHeadroom(OptionalLong memoryMiB, OptionalLong cores) {

    public static final QuotaHeadroom UNLIMITED = new QuotaHeadroom(OptionalLong.empty(), OptionalLong.empty());
}
