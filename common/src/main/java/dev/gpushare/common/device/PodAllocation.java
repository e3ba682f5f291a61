package dev.gpushare.common.device;

import java.util.List;

/**
 * The GPUs of one pod, one entry per container segment of the allocation annotation, in annotation order.
 * A container that got no GPU has an empty list, so positions map to containers.
 */
public record PodAllocation(List<List<ContainerDevice>> containers) {

    public PodAllocation {
        containers = containers.stream().map(List::copyOf).toList();
    }

    /** Every device of every container, in order. */
    public List<ContainerDevice> devices() {
        return containers.stream().flatMap(List::stream).toList();
    }

    public boolean isEmpty() {
        return containers.stream().allMatch(List::isEmpty);
    }
}
