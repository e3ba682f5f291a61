package dev.gpushare.placement;

import dev.gpushare.common.annotation.MalformedAnnotationException;
import dev.gpushare.common.annotation.ScoringWeights;

import dev.gpushare.common.annotation.AllocationEncoding;
import dev.gpushare.common.annotation.Excerpt;
import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.common.request.ContainerRequest;
import dev.gpushare.common.request.PodRequest;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Per-pod state computed once before any node is looked at (kube-scheduler's PreFilter): the containers to place
 * in allocation order, the effective policies, the parsed selectors and the quota. Immutable.
 */
final class PodPlan {

    /** The values Go's {@code strconv.ParseBool} accepts, as HAMi reads {@code nvidia.com/numa-bind}. */
    private static final Set<String> TRUE = Set.of("1", "t", "T", "TRUE", "true", "True");
    private static final Set<String> FALSE = Set.of("0", "f", "F", "FALSE", "false", "False");

    final List<ContainerRequest> containers;
    final GpuPolicies gpuPolicies;
    /** The order of the fit walk, from the GPU policies and {@code numaBind}. */
    final GpuOrder gpuOrder;
    final NodePolicy nodePolicy;
    final GpuSelectors selectors;
    final boolean numaBind;
    final NamespaceQuota quota;
    /** {@code hami.io/device-scoring-weights}: the weights of the GPU score's terms. */
    final ScoringWeights weights;

    private PodPlan(List<ContainerRequest> containers, GpuPolicies gpuPolicies, NodePolicy nodePolicy,
                    GpuSelectors selectors, boolean numaBind, NamespaceQuota quota, ScoringWeights weights) {
        this.weights = weights;
        this.containers = containers;
        this.gpuPolicies = gpuPolicies;
        this.gpuOrder = gpuPolicies.order(numaBind);
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
        String gpuPolicies = annotations.get(HamiKeys.GPU_SCHEDULER_POLICY);
        String nodePolicy = annotations.get(HamiKeys.NODE_SCHEDULER_POLICY);
        return new PodPlan(
                containers,
                gpuPolicies == null ? GpuPolicies.of(settings.gpuPolicy()) : annotation(GpuPolicies::parse,
                        gpuPolicies),
                nodePolicy == null ? settings.nodePolicy() : annotation(NodePolicy::parse, nodePolicy),
                GpuSelectors.of(annotations),
                numaBind(annotations.get(HamiKeys.NUMA_BIND)),
                request.quota(),
                weights(annotations.get(HamiKeys.DEVICE_SCORING_WEIGHTS)));
    }

    /** Invalid weights make the pod unschedulable until the annotation is fixed, as in HAMi. */
    private static ScoringWeights weights(String value) throws InvalidPodException {
        return annotation(ScoringWeights::parse, value);
    }

    /** An annotation read by its parser; one it cannot read makes the pod unschedulable, the message naming it. */
    private static <T> T annotation(AnnotationParser<T> parser, String value) throws InvalidPodException {
        try {
            return parser.parse(value);
        } catch (MalformedAnnotationException e) {
            throw new InvalidPodException(e.getMessage());
        }
    }

    @FunctionalInterface
    private interface AnnotationParser<T> {
        T parse(String value) throws MalformedAnnotationException;
    }

    /**
     * The containers in the order of the allocation's segments ({@link AllocationEncoding#segmentOrder}); a GPU init
     * container under an encoding without init-container segments is refused.
     */
    private static List<ContainerRequest> inAllocationOrder(PodRequest pod, AllocationEncoding encoding)
            throws InvalidPodException {
        if (!encoding.carriesInitContainers()) {
            for (ContainerRequest init : pod.initContainers()) {
                if (init.requestsGpu()) {
                    throw new InvalidPodException("init container " + Excerpt.of(init.containerName())
                            + " requests " + init.nums() + " GPU(s), but the allocation encoding v2.8 has no place"
                            + " for init containers: a v2.8 device plugin would give it the GPUs of a regular"
                            + " container. Set hami.compat.allocation-encoding=v2.9 (needs HAMi v2.9+ device"
                            + " plugins) or remove the init container's GPU request");
                }
            }
        }
        return encoding.segmentOrder(pod.initContainers(), pod.containers());
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
