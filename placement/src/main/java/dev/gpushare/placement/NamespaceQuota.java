package dev.gpushare.placement;

import java.util.OptionalLong;

/**
 * The GPU quota of the pod's namespace (spec 5.6): limits from {@code limits.nvidia.com/gpumem} and
 * {@code limits.nvidia.com/gpucores} of its ResourceQuota objects and what the namespace's pods already hold.
 * A limit of 0 (or less) means "no limit", as in HAMi. The one quota rule: placement ({@link #admits}), the
 * webhook ({@link #memoryLeft}, {@link #coresLeft}) and the quota metrics ({@link #limitsMemory}) all read it here.
 *
 * @param memoryLimit MiB, already multiplied by {@code memoryFactor} when that is above 1
 * @param memoryUsed  MiB held by the namespace's pods, <em>not</em> counting the pod being placed
 * @param coresLimit  percent of one GPU
 * @param coresUsed   percent held by the namespace's pods, not counting the pod being placed
 */
public record NamespaceQuota(long memoryLimit, long memoryUsed, long coresLimit, long coresUsed) {

    /** A namespace without GPU quota. */
    public static final NamespaceQuota NONE = new NamespaceQuota(0, 0, 0, 0);

    public boolean limitsMemory() {
        return memoryLimit > 0;
    }

    public boolean limitsCores() {
        return coresLimit > 0;
    }

    /** MiB the namespace may still take (negative when over its limit), empty without a memory limit. */
    public OptionalLong memoryLeft() {
        return limitsMemory() ? OptionalLong.of(memoryLimit - memoryUsed) : OptionalLong.empty();
    }

    /** Percent of cores the namespace may still take (negative when over), empty without a cores limit. */
    public OptionalLong coresLeft() {
        return limitsCores() ? OptionalLong.of(coresLimit - coresUsed) : OptionalLong.empty();
    }

    /** Whether the pod may hold {@code memory} MiB and {@code cores} percent in total on top of what is used. */
    public boolean admits(long memory, long cores) {
        return fits(memoryLeft(), memory) && fits(coresLeft(), cores);
    }

    private static boolean fits(OptionalLong left, long request) {
        return left.isEmpty() || request <= left.getAsLong();
    }
}
