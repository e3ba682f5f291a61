package dev.gpushare.placement;

import java.util.Optional;

/**
 * The GPU policies a pod can name in {@code hami.io/gpu-scheduler-policy} (spec 4.6 and 4.8), alone or, as HAMi
 * v2.10 reads them, combined in a comma list ({@link GpuPolicies}).
 */
public enum GpuPolicy {
    /** Fill the fullest GPUs first (alone: lowest NUMA node first). */
    BINPACK("binpack"),
    /** Use the emptiest GPUs first (alone: highest NUMA node first). */
    SPREAD("spread"),
    /** Spread order, then choose the set of GPUs with the best links between them (pair scores). */
    TOPOLOGY_AWARE("topology-aware"),
    /** HAMi v2.10: only GPUs no task uses yet ({@code ExclusiveDeviceAllocateConflict} for the others). */
    MUTEX("mutex"),
    /** HAMi v2.10: the highest NUMA node first, as a key of the sort chain. */
    NUMA("numa");

    private final String value;

    GpuPolicy(String value) {
        this.value = value;
    }

    /** The annotation and configuration value. */
    public String value() {
        return value;
    }

    /** The policy named exactly {@code value}, or empty for anything else (no case folding, no fallback). */
    public static Optional<GpuPolicy> fromValue(String value) {
        for (GpuPolicy p : values()) {
            if (p.value.equals(value)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
