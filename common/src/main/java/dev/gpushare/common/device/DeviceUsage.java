package dev.gpushare.common.device;

/**
 * What is already taken on one GPU: tasks (slots), MiB and percent of cores.
 */
public record DeviceUsage(int used, int usedmem, int usedcores) {

    public static final DeviceUsage NONE = new DeviceUsage(0, 0, 0);

    public DeviceUsage plus(ContainerDevice d) {
        return new DeviceUsage(used + 1, usedmem + d.usedmem(), usedcores + d.usedcores());
    }
}
