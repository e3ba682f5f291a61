package dev.gpushare.placement;

import dev.gpushare.common.annotation.ScoringWeights;

/**
 * HAMi's score formulas in 32-bit float, as HAMi computes them (so ties fall the same way), except that a zero
 * capacity gives 0 instead of NaN or infinity (as v2.9 does).
 */
final class Scores {

    private static final float WEIGHT = 10f;

    private Scores() {
    }

    /** Node score (spec 4.4): how full the node is, over all its GPUs, before the pod. */
    static float node(long used, long count, long usedCores, long totalCores, long usedMem, long totalMem) {
        return WEIGHT * (ratio(used, count) + ratio(usedCores, totalCores) + ratio(usedMem, totalMem));
    }

    /**
     * Device score (spec 4.5): how full the GPU would be with the request added. {@code memory} is what the
     * request takes on this GPU, computed exactly (HAMi v2.8 integer-divides percentages here, counting anything
     * under 100 % as nothing). Each term is multiplied by its weight from the pod's
     * {@code hami.io/device-scoring-weights} (HAMi v2.10; 1, 1, 1 without it, which is exactly the unweighted score).
     */
    static float device(ScoringWeights weights, int nums, int cores, int memory, int used, int count, int usedCores,
                        int totalCores, int usedMem, int totalMem) {
        return WEIGHT * ((float) weights.slot() * ratio((long) nums + used, count)
                + (float) weights.core() * ratio((long) cores + usedCores, totalCores)
                + (float) weights.memory() * ratio((long) memory + usedMem, totalMem));
    }

    private static float ratio(long part, long whole) {
        return whole == 0 ? 0f : (float) part / (float) whole;
    }
}
