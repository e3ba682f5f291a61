package dev.gpushare.common.request;

import java.util.Objects;

/**
 * What one container asks of the NVIDIA vendor, after defaults from the device config were applied.
 *
 * @param containerName name of the container, for messages
 * @param init          whether it is an init container (including native sidecars)
 * @param nums          number of GPUs; 0 means the container requests no GPU
 * @param memreq        MiB per GPU (already multiplied by {@code memoryFactor}); 0 when not given
 * @param memPercentage percent of each GPU's memory, or {@link #PERCENTAGE_NOT_GIVEN}
 * @param coresreq      percent of each GPU's cores
 * @param priority      value of {@code nvidia.com/priority}, or -1 when not given
 */
public record ContainerRequest(String containerName, boolean init, int nums, int memreq, int memPercentage,
                               int coresreq, int priority) {

    /** HAMi's sentinel for "no percentage given" (it must stay 101: 100 is a valid whole-card value). */
    public static final int PERCENTAGE_NOT_GIVEN = 101;

    public ContainerRequest {
        Objects.requireNonNull(containerName, "containerName");
    }

    public boolean requestsGpu() {
        return nums > 0;
    }

    /** MiB this request takes on a GPU with {@code devmem} MiB registered (exact, no integer-division slip). */
    public int memoryOn(int devmem) {
        if (memreq > 0) {
            return memreq;
        }
        if (memPercentage != PERCENTAGE_NOT_GIVEN) {
            return (int) ((long) devmem * memPercentage / 100);
        }
        return 0;
    }

    /** {@code gpucores: 100}: the GPU must not be shared with any other task. */
    public boolean exclusive() {
        return coresreq >= 100;
    }
}
