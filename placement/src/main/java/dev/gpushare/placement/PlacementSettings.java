package dev.gpushare.placement;

import dev.gpushare.common.annotation.AllocationEncoding;

import java.util.Objects;

/**
 * Cluster-wide settings of the {@link PlacementEngine}.
 *
 * @param nodePolicy         node policy of pods without {@code hami.io/node-scheduler-policy}
 *                           ({@code hami.policy.node})
 * @param gpuPolicy          GPU policy of pods without {@code hami.io/gpu-scheduler-policy} ({@code hami.policy.gpu})
 * @param skipUpgradingNodes whether nodes whose GPU driver the NVIDIA GPU Operator is upgrading are unfit
 * @param encoding           allocation annotation layout ({@code hami.compat.allocation-encoding}): decides
 *                           whether init containers can get GPUs and the order of the allocation's entries
 */
public record PlacementSettings(NodePolicy nodePolicy, GpuPolicy gpuPolicy, boolean skipUpgradingNodes,
                                AllocationEncoding encoding) {

    public PlacementSettings {
        Objects.requireNonNull(nodePolicy, "nodePolicy");
        Objects.requireNonNull(gpuPolicy, "gpuPolicy");
        Objects.requireNonNull(encoding, "encoding");
    }

    /** HAMi's defaults: node {@code binpack}, GPU {@code spread}; upgrading nodes skipped; encoding {@code v2.8}. */
    public static PlacementSettings defaults() {
        return new PlacementSettings(NodePolicy.BINPACK, GpuPolicy.SPREAD, true, AllocationEncoding.V2_8);
    }
}
