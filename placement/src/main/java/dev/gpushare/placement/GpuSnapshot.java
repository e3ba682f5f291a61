package dev.gpushare.placement;

import dev.gpushare.common.device.DeviceInfo;
import dev.gpushare.common.device.DeviceUsage;

import java.util.Objects;

/**
 * One GPU of a {@link NodeSnapshot}: as registered, what the pods on the node hold of it, and whether it may take
 * new work.
 *
 * @param device  the registration
 * @param usage   slots, MiB and cores held by the pods on the node
 * @param healthy registered healthy, and no allocation contradicts its mode (a MIG instance on a {@code hami-core}
 *                GPU, or one that does not fit its MIG layout)
 * @param mig     MIG state; {@link MigLayout#NONE} unless the GPU is in MIG mode and its model has geometries
 */
public record GpuSnapshot(DeviceInfo device, DeviceUsage usage, boolean healthy, MigLayout mig) {

    public GpuSnapshot {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(mig, "mig");
    }

    public boolean migMode() {
        return DeviceInfo.MODE_MIG.equals(device.mode());
    }
}
