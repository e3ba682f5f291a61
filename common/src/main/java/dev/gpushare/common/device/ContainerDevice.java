package dev.gpushare.common.device;

import java.util.Objects;

/**
 * One GPU handed to one container, as written in {@code hami.io/vgpu-devices-allocated}.
 *
 * @param uuid      GPU UUID; for a MIG allocation suffixed {@code [<geometry>-<slot>]}
 * @param type      vendor common word, {@code NVIDIA}
 * @param usedmem   MiB reserved on that GPU
 * @param usedcores percent of the GPU's cores reserved
 */
public record ContainerDevice(String uuid, String type, int usedmem, int usedcores) {

    public ContainerDevice {
        Objects.requireNonNull(uuid, "uuid");
        Objects.requireNonNull(type, "type");
    }
}
