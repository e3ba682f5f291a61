package dev.gpushare.common.annotation;

import dev.gpushare.common.device.ContainerDevice;
import dev.gpushare.common.device.PodAllocation;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Layout of the allocation annotations ({@code hami.compat.allocation-encoding}).
 * {@code V2_8}: one segment per regular container (what a v2.8 device plugin reads);
 * {@code V2_9}: init containers first, then regular containers.
 */
public enum AllocationEncoding {
    V2_8("v2.8"),
    V2_9("v2.9");

    private final String value;

    AllocationEncoding(String value) {
        this.value = value;
    }

    public String value() {
        return value;
    }

    /** The encoding named by a setting value ({@code v2.8} or {@code v2.9}), or empty. */
    public static Optional<AllocationEncoding> fromValue(String value) {
        for (AllocationEncoding e : values()) {
            if (e.value.equals(value)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /**
     * Whether the layout has segments for init containers (native sidecars included). {@code v2.8} has one segment
     * per regular container only: a v2.8 device plugin hands the segments to regular containers, so a GPU init
     * container would take a regular container's GPUs. Pods with GPU init containers must be refused under it.
     */
    public boolean carriesInitContainers() {
        return this == V2_9;
    }

    /**
     * The containers in the order of the allocation's segments: init containers first, then regular ones, under
     * {@code v2.9}; the regular ones only under {@code v2.8} (the caller refuses GPU init containers first, see
     * {@link #carriesInitContainers()}).
     */
    public <T> List<T> segmentOrder(List<T> initContainers, List<T> containers) {
        if (!carriesInitContainers()) {
            return containers;
        }
        List<T> all = new ArrayList<>(initContainers.size() + containers.size());
        all.addAll(initContainers);
        all.addAll(containers);
        return List.copyOf(all);
    }

    /**
     * The annotation segments for a pod whose containers got these devices (one list per container, empty when
     * the container got none, in pod spec order). Encode the result with {@link AllocationCodec#encode}.
     *
     * @throws IllegalArgumentException in {@code V2_8} when an init container got devices (see
     *                                  {@link #carriesInitContainers()}): the caller must refuse such a placement
     *                                  first
     */
    public PodAllocation layout(List<List<ContainerDevice>> initContainers,
                                List<List<ContainerDevice>> containers) {
        if (!carriesInitContainers() && initContainers.stream().anyMatch(devices -> !devices.isEmpty())) {
            throw new IllegalArgumentException("allocation encoding v2.8 cannot carry devices of init containers");
        }
        return new PodAllocation(segmentOrder(initContainers, containers));
    }
}
