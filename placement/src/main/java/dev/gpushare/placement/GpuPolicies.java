package dev.gpushare.placement;

import dev.gpushare.common.annotation.Excerpt;
import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.common.annotation.MalformedAnnotationException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A value of {@code hami.io/gpu-scheduler-policy}: one {@link GpuPolicy}, or several in a comma list as HAMi v2.10
 * reads them ({@code binpack,numa}, {@code mutex,spread}, ...). The one parser of the annotation: the webhook and
 * placement both call {@link #parse}.
 *
 * <p>HAMi v2.10's meaning: {@code mutex} and {@code topology-aware} anywhere in the list are filters (only unused
 * GPUs; the best-linked set), the others are sort keys in the order written. A single value keeps its meaning
 * from before v2.10 ({@code numa} alone is a chain of one key).
 *
 * @param policies the policies in the order written, each once
 * @param combined whether the value was a comma list (even of one policy): HAMi then orders by the chain
 */
public record GpuPolicies(List<GpuPolicy> policies, boolean combined) {

    private static final String KNOWN = Arrays.stream(GpuPolicy.values()).map(GpuPolicy::value)
            .collect(Collectors.joining(", "));

    public GpuPolicies {
        policies = List.copyOf(policies);
        if (policies.isEmpty() || (!combined && policies.size() != 1)) {
            throw new IllegalArgumentException("a single policy or a non-empty list: " + policies);
        }
    }

    /** One policy, as the cluster default ({@code hami.policy.gpu}) or an annotation without comma gives it. */
    public static GpuPolicies of(GpuPolicy policy) {
        return new GpuPolicies(List.of(Objects.requireNonNull(policy, "policy")), false);
    }

    /**
     * Reads an annotation value: comma-separated entries, blanks around each ignored, each one of the policies
     * exactly (no case folding); a repeated policy counts once. Stricter than HAMi, which ignores what it does not
     * know: an unknown or empty entry is refused, so that a typo never schedules with another meaning.
     *
     * @throws MalformedAnnotationException naming the annotation, the value and the wrong entry
     */
    public static GpuPolicies parse(String value) throws MalformedAnnotationException {
        if (value.indexOf(',') < 0) {
            return of(GpuPolicy.fromValue(value.trim()).orElseThrow(() -> new MalformedAnnotationException(
                    "annotation " + HamiKeys.GPU_SCHEDULER_POLICY + ": " + Excerpt.of(value) + " is not one of "
                            + KNOWN)));
        }
        List<GpuPolicy> policies = new ArrayList<>();
        for (String entry : value.split(",", -1)) {
            String name = entry.trim();
            if (name.isEmpty()) {
                throw new MalformedAnnotationException("annotation " + HamiKeys.GPU_SCHEDULER_POLICY + ": "
                        + Excerpt.of(value) + ": empty entry in the comma list");
            }
            GpuPolicy policy = GpuPolicy.fromValue(name).orElseThrow(() -> new MalformedAnnotationException(
                    "annotation " + HamiKeys.GPU_SCHEDULER_POLICY + ": " + Excerpt.of(value) + ": entry "
                            + Excerpt.of(name) + " is not one of " + KNOWN));
            if (!policies.contains(policy)) {
                policies.add(policy);
            }
        }
        return new GpuPolicies(policies, true);
    }

    /** Whether {@code policy} is named (HAMi's {@code PolicyContains}). */
    public boolean has(GpuPolicy policy) {
        return policies.contains(policy);
    }

    /**
     * The order in which the GPUs of a node are tried (HAMi v2.10's {@code DeviceUsageList.Less}, read from the end
     * as HAMi's fit walk reads it).
     *
     * @param numaBind whether the pod asks for one NUMA node ({@code nvidia.com/numa-bind}): a chain then starts
     *                 with {@code numa}, so that each NUMA node's GPUs are tried together
     */
    GpuOrder order(boolean numaBind) {
        GpuPolicy single = policies.get(0);
        if (!combined && single != GpuPolicy.NUMA) {
            return switch (single) {
                case BINPACK -> GpuOrder.NumaThenScore.BINPACK;
                case MUTEX -> GpuOrder.LeastUsed.INSTANCE;
                default -> GpuOrder.NumaThenScore.SPREAD;
            };
        }
        List<GpuPolicy> keys = new ArrayList<>();
        for (GpuPolicy policy : policies) {
            if (policy == GpuPolicy.BINPACK || policy == GpuPolicy.SPREAD || policy == GpuPolicy.NUMA) {
                keys.add(policy);
            }
        }
        if (keys.isEmpty()) {
            keys.add(GpuPolicy.SPREAD);
        }
        if (numaBind && keys.get(0) != GpuPolicy.NUMA) {
            keys.remove(GpuPolicy.NUMA);
            keys.add(0, GpuPolicy.NUMA);
        }
        return new GpuOrder.Chain(keys);
    }
}
