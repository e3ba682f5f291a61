package dev.gpushare.placement;

import java.util.List;

/** How the GPUs of a node are ordered for the fit walk ({@link GpuPolicies#order}); exact ties: registered last first. */
sealed interface GpuOrder {

    /**
     * A single {@code binpack}, {@code spread} or {@code topology-aware} (spec 4.6): the NUMA node first (binpack:
     * lowest, else highest), then the score (binpack: highest, else lowest).
     */
    enum NumaThenScore implements GpuOrder {
        BINPACK, SPREAD
    }

    /** A single {@code mutex} (HAMi v2.10): the fewest tasks first, then the highest NUMA node. */
    enum LeastUsed implements GpuOrder {
        INSTANCE
    }

    /**
     * A comma list, or a single {@code numa} (HAMi v2.10): each key in turn breaks the ties of the ones before;
     * {@code binpack} highest score first, {@code spread} lowest, {@code numa} highest NUMA node.
     *
     * @param keys {@link GpuPolicy#BINPACK}, {@link GpuPolicy#SPREAD} or {@link GpuPolicy#NUMA}, at least one
     */
    record Chain(List<GpuPolicy> keys) implements GpuOrder {
        public Chain {
            keys = List.copyOf(keys);
        }
    }
}
