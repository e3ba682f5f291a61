package dev.gpushare.placement;

/**
 * The GPU quota of the pod's namespace (spec 5.6): limits from {@code limits.nvidia.com/gpumem} and
 * {@code limits.nvidia.com/gpucores} of its ResourceQuota objects and what the namespace's pods already hold.
 * A limit of 0 (or less) means "no limit", as in HAMi.
 *
 * @param memoryLimit MiB, already multiplied by {@code memoryFactor} when that is above 1
 * @param memoryUsed  MiB held by the namespace's pods, <em>not</em> counting the pod being placed
 * @param coresLimit  percent of one GPU
 * @param coresUsed   percent held by the namespace's pods, not counting the pod being placed
 */
public record NamespaceQuota(long memoryLimit, long memoryUsed, long coresLimit, long coresUsed) {

    /** A namespace without GPU quota. */
    public static final NamespaceQuota NONE = new NamespaceQuota(0, 0, 0, 0);

    /** Whether the pod may hold {@code memory} MiB and {@code cores} percent in total on top of what is used. */
    public boolean admits(long memory, long cores) {
        return within(memoryLimit, memoryUsed, memory) && within(coresLimit, coresUsed, cores);
    }

    private static boolean within(long limit, long used, long request) {
        return limit <= 0 || used + request <= limit;
    }
}
