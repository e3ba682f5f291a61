package dev.gpushare.placement;

import dev.gpushare.common.annotation.AllocationEncoding;
import dev.gpushare.common.annotation.Excerpt;
import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.common.request.ContainerRequest;
import dev.gpushare.common.request.PodRequest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Per-pod state computed once before any node is looked at (kube-scheduler's PreFilter): the containers to place
 * in allocation order, the effective policies, the parsed selectors and the quota. Immutable.
 */
final class PodPlan {

    /** The values Go's {@code strconv.ParseBool} accepts, as HAMi reads {@code nvidia.com/numa-bind}. */
    private static final Set<String> TRUE = Set.of("1", "t", "T", "TRUE", "true", "True");
    private static final Set<String> FALSE = Set.of("0", "f", "F", "FALSE", "false", "False");

    final List<ContainerRequest> containers;
    final GpuPolicy gpuPolicy;
    final NodePolicy nodePolicy;
    final GpuSelectors selectors;
    final boolean numaBind;
    final NamespaceQuota quota;

    private PodPlan(List<ContainerRequest> containers, GpuPolicy gpuPolicy, NodePolicy nodePolicy,
                    GpuSelectors selectors, boolean numaBind, NamespaceQuota quota) {
        this.containers = containers;
        this.gpuPolicy = gpuPolicy;
        this.nodePolicy = nodePolicy;
        this.selectors = selectors;
        this.numaBind = numaBind;
        this.quota = quota;
    }

    static PodPlan prepare(PlacementRequest request, PlacementSettings settings) throws InvalidPodException {
        Map<String, String> annotations = request.annotations();
        List<ContainerRequest> containers = inAllocationOrder(request.request(), settings.encoding());
        for (ContainerRequest c : containers) {
            validate(c);
        }
        return new PodPlan(
                containers,
                policy(annotations, HamiKeys.GPU_SCHEDULER_POLICY, GpuPolicy::fromValue, settings.gpuPolicy(),
                        GpuPolicy.values(), GpuPolicy::value),
                policy(annotations, HamiKeys.NODE_SCHEDULER_POLICY, NodePolicy::fromValue, settings.nodePolicy(),
                        NodePolicy.values(), NodePolicy::value),
                GpuSelectors.of(annotations),
                numaBind(annotations.get(HamiKeys.NUMA_BIND)),
                request.quota());
    }

    /**
     * {@code v2.9}: init containers first, then regular ones. {@code v2.8} has a segment per regular container only:
     * a GPU init container cannot be expressed, and a v2.8 device plugin would hand it a regular container's GPUs.
     */
    private static List<ContainerRequest> inAllocationOrder(PodRequest pod, AllocationEncoding encoding)
            throws InvalidPodException {
        if (encoding == AllocationEncoding.V2_9) {
            List<ContainerRequest> all = new ArrayList<>(pod.initContainers());
            all.addAll(pod.containers());
            return List.copyOf(all);
        }
        for (ContainerRequest init : pod.initContainers()) {
            if (init.requestsGpu()) {
                throw new InvalidPodException("init container " + Excerpt.of(init.containerName()) + " requests "
                        + init.nums() + " GPU(s), but the allocation encoding v2.8 has no place for init"
                        + " containers: a v2.8 device plugin would give it the GPUs of a regular container. Set"
                        + " hami.compat.allocation-encoding=v2.9 (needs HAMi v2.9+ device plugins) or remove the"
                        + " init container's GPU request");
            }
        }
        return pod.containers();
    }

    private static void validate(ContainerRequest c) throws InvalidPodException {
        if (!c.requestsGpu()) {
            return;
        }
        String where = "container " + Excerpt.of(c.containerName()) + ": ";
        if (c.memreq() < 0) {
            throw new InvalidPodException(where + "GPU memory " + c.memreq() + " MiB is negative");
        }
        if (c.memPercentage() != ContainerRequest.PERCENTAGE_NOT_GIVEN
                && (c.memPercentage() < 0 || c.memPercentage() > 100)) {
            throw new InvalidPodException(where + "GPU memory percentage " + c.memPercentage()
                    + " is outside 0..100");
        }
        if (c.coresreq() < 0) {
            throw new InvalidPodException(where + "GPU cores " + c.coresreq() + " % is negative");
        }
    }

    private static <P> P policy(Map<String, String> annotations, String key, Function<String, Optional<P>> parse,
                                P fallback, P[] known, Function<P, String> value) throws InvalidPodException {
        String given = annotations.get(key);
        if (given == null) {
            return fallback;
        }
        Optional<P> policy = parse.apply(given.trim());
        if (policy.isEmpty()) {
            throw new InvalidPodException("annotation " + key + ": \"" + given + "\" is not one of "
                    + String.join(", ", Arrays.stream(known).map(value).toList()));
        }
        return policy.get();
    }

    private static boolean numaBind(String value) throws InvalidPodException {
        if (value == null) {
            return false;
        }
        String v = value.trim();
        if (TRUE.contains(v)) {
            return true;
        }
        if (FALSE.contains(v)) {
            return false;
        }
        throw new InvalidPodException("annotation " + HamiKeys.NUMA_BIND + ": \"" + value
                + "\" is not a boolean (true or false)");
    }
}
