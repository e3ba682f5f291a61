package dev.gpushare.placement;

import java.util.Optional;

/**
 * How the GPUs of one node are chosen for a container ({@code hami.io/gpu-scheduler-policy}, spec 4.6 and 4.8).
 */
public enum GpuPolicy {
    /** Fill the fullest GPUs first (lowest NUMA node first). */
    BINPACK("binpack"),
    /** Use the emptiest GPUs first (highest NUMA node first). */
    SPREAD("spread"),
    /** Spread order, then choose the set of GPUs with the best links between them (pair scores). */
    TOPOLOGY_AWARE("topology-aware");

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
