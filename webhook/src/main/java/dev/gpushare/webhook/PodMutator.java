package dev.gpushare.webhook;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.gpushare.common.annotation.Excerpt;
import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.common.annotation.MalformedAnnotationException;
import dev.gpushare.common.annotation.ScoringWeights;
import dev.gpushare.common.config.NvidiaConfig;
import dev.gpushare.common.request.ContainerRequest;
import dev.gpushare.common.request.InvalidRequestException;
import dev.gpushare.common.request.PodRequest;
import dev.gpushare.common.request.PodRequestParser;
import dev.gpushare.placement.GpuPolicies;
import dev.gpushare.placement.NodePolicy;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.node.StringNode;

/**
 * Decides the mutation of one pod at admission (spec 7.2, with v2.9's scheduler-name gate and our stricter checks).
 * Pure: a Pod in, a {@link PodMutation} out; the input is never modified.
 *
 * <p>Gate: a pod naming our scheduler is processed; one naming {@code default-scheduler} (or nothing, which the API
 * server defaults to it) is processed only with {@code forceOverwriteDefaultScheduler}; any other is skipped.
 *
 * <p>Per container, init containers (native sidecars included) before regular ones; privileged containers without
 * GPU resources are left untouched:
 * <ol>
 *   <li>only {@code gpumem}, {@code gpumem-percentage} or {@code gpucores} limits, no {@code nvidia.com/gpu}: add
 *       limit {@code nvidia.com/gpu: <defaultGPUNum>} (when that is above 0);</li>
 *   <li>a GPU container asking for the whole memory (percentage 100, or neither memory nor percentage and no
 *       {@code defaultMemory}) without {@code gpucores}: add limit {@code gpucores: 100}. Unlike HAMi, a container
 *       whose memory comes from {@code defaultMemory} is not a whole-GPU request and keeps sharing cores;</li>
 *   <li>env {@code CUDA_TASK_PRIORITY} from {@code nvidia.com/priority}; {@code GPU_CORE_UTILIZATION_POLICY} on GPU
 *       containers when {@code gpuCorePolicy} is set and not {@code default}; {@code NVIDIA_VISIBLE_DEVICES=none} on
 *       non-GPU containers when {@code overwriteEnv}. A variable the container already defines is left as is.</li>
 * </ol>
 * A pod with a GPU container also gets {@code runtimeClassName} (when configured and unset) and our scheduler name.
 *
 * <p>Denied, with a message naming the container and the field: invalid GPU quantities (checked by
 * {@link PodRequestParser}), a privileged GPU container, a GPU init container under the v2.8 allocation encoding, a
 * GPU pod with {@code spec.nodeName}, an unknown scheduler-policy annotation, and a request beyond the namespace's
 * GPU quota (memory per GPU × GPUs; percentage-only memory cannot be known before placement and counts 0 here).
 */
public final class PodMutator {

    static final String DEFAULT_SCHEDULER = "default-scheduler";
    static final String CUDA_TASK_PRIORITY = "CUDA_TASK_PRIORITY";
    static final String GPU_CORE_UTILIZATION_POLICY = "GPU_CORE_UTILIZATION_POLICY";
    static final String NVIDIA_VISIBLE_DEVICES = "NVIDIA_VISIBLE_DEVICES";

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final MutatorConfig config;
    private final NvidiaConfig nvidia;
    private final PodRequestParser parser;
    private final QuotaLookup quota;

    public PodMutator(MutatorConfig config, QuotaLookup quota) {
        this.config = Objects.requireNonNull(config, "config");
        this.nvidia = config.deviceConfig().nvidia();
        this.parser = new PodRequestParser(config.deviceConfig());
        this.quota = Objects.requireNonNull(quota, "quota");
    }

    /**
     * @param namespace the namespace the pod is created in (the AdmissionRequest's; the object may lack it)
     */
    public PodMutation mutate(Pod pod, String namespace) {
        PodSpec spec = pod.getSpec();
        String scheduler = spec == null || isBlank(spec.getSchedulerName())
                ? DEFAULT_SCHEDULER : spec.getSchedulerName();
        if (!ours(scheduler)) {
            return new PodMutation.Skip("pod already has different scheduler assigned: " + Excerpt.plain(scheduler));
        }
        if (spec == null || spec.getContainers() == null || spec.getContainers().isEmpty()) {
            return new PodMutation.Deny(DenialReason.NO_CONTAINERS, "pod has no containers");
        }
        try {
            return plan(pod, namespace == null ? "" : namespace);
        } catch (Denial denial) {
            return new PodMutation.Deny(denial.reason, denial.getMessage());
        }
    }

    /**
     * v2.9+ gate: ours, or the default scheduler's when we take those over. An unset name counts as
     * {@code default-scheduler}: the API server defaults it before calling webhooks.
     */
    private boolean ours(String scheduler) {
        if (DEFAULT_SCHEDULER.equals(scheduler)) {
            return config.forceOverwriteDefaultScheduler();
        }
        return scheduler.equals(config.schedulerName());
    }

    private PodMutation.Patch plan(Pod pod, String namespace) throws Denial {
        PodSpec spec = pod.getSpec();
        PodRequest parsed;
        try {
            parsed = parser.parse(pod);
        } catch (InvalidRequestException e) {
            throw new Denial(DenialReason.INVALID_REQUEST, e.getMessage());
        }
        List<JsonPatchOperation> operations = new ArrayList<>();
        List<ContainerRequest> gpuContainers = new ArrayList<>();
        planContainers(spec.getInitContainers(), parsed.initContainers(), "/spec/initContainers/", operations,
                gpuContainers);
        planContainers(spec.getContainers(), parsed.containers(), "/spec/containers/", operations, gpuContainers);
        if (gpuContainers.isEmpty()) {
            return new PodMutation.Patch(operations);
        }
        checkInitContainers(gpuContainers);
        checkNodeName(spec, gpuContainers.get(0));
        checkAnnotation(pod, HamiKeys.NODE_SCHEDULER_POLICY, NodePolicy::parse);
        checkAnnotation(pod, HamiKeys.GPU_SCHEDULER_POLICY, GpuPolicies::parse);
        checkAnnotation(pod, HamiKeys.DEVICE_SCORING_WEIGHTS, ScoringWeights::parse);
        List<String> warnings = checkQuota(namespace, gpuContainers);

        if (isBlank(spec.getRuntimeClassName()) && !isBlank(nvidia.runtimeClassName())) {
            operations.add(JsonPatchOperation.add("/spec/runtimeClassName", StringNode.valueOf(
                    nvidia.runtimeClassName())));
        }
        if (!config.schedulerName().equals(spec.getSchedulerName())) {
            StringNode name = StringNode.valueOf(config.schedulerName());
            operations.add(spec.getSchedulerName() == null
                    ? JsonPatchOperation.add("/spec/schedulerName", name)
                    : JsonPatchOperation.replace("/spec/schedulerName", name));
        }
        return new PodMutation.Patch(operations, warnings);
    }

    private void planContainers(List<Container> containers, List<ContainerRequest> requests, String basePath,
                                List<JsonPatchOperation> operations, List<ContainerRequest> gpuContainers)
            throws Denial {
        if (containers == null) {
            return;
        }
        for (int i = 0; i < containers.size(); i++) {
            ContainerRequest request = planContainer(containers.get(i), requests.get(i), basePath + i, operations);
            if (request.requestsGpu()) {
                gpuContainers.add(request);
            }
        }
    }

    /** Adds the container's operations; returns its request after defaulting. */
    private ContainerRequest planContainer(Container container, ContainerRequest parsed, String path,
                                           List<JsonPatchOperation> operations) throws Denial {
        ResourceRequirements resources = container.getResources();
        Map<String, Quantity> limits = resources == null || resources.getLimits() == null
                ? Map.of() : resources.getLimits();
        Map<String, Quantity> requests = resources == null || resources.getRequests() == null
                ? Map.of() : resources.getRequests();
        String count = nvidia.resourceCountName();
        String cores = nvidia.resourceCoreName();
        boolean countGiven = limits.containsKey(count) || requests.containsKey(count);
        boolean shareLimitGiven = limits.containsKey(cores) || limits.containsKey(nvidia.resourceMemoryName())
                || limits.containsKey(nvidia.resourceMemoryPercentageName());

        Map<String, String> addedLimits = new LinkedHashMap<>();
        int nums = parsed.nums();
        if (!countGiven && shareLimitGiven && nvidia.defaultGPUNum() > 0) {
            nums = nvidia.defaultGPUNum();
            addedLimits.put(count, Integer.toString(nums));
        }
        boolean gpu = nums > 0;
        int coresreq = parsed.coresreq();
        boolean wholeMemory = parsed.memPercentage() == 100;
        if (gpu && wholeMemory && !limits.containsKey(cores) && !requests.containsKey(cores)) {
            coresreq = 100;
            addedLimits.put(cores, "100");
        }

        if (container.getSecurityContext() != null
                && Boolean.TRUE.equals(container.getSecurityContext().getPrivileged())) {
            if (gpu) {
                throw new Denial(DenialReason.PRIVILEGED_CONTAINER, kind(parsed) + " "
                        + Excerpt.plain(parsed.containerName()) + " is privileged "
                        + "(securityContext.privileged: true) and requests GPU resources (" + gpuResourcesOf(limits,
                        requests) + "): a privileged container sees every GPU of the node, so its share cannot be "
                        + "enforced");
            }
            return parsed;
        }

        Map<String, String> addedEnv = new LinkedHashMap<>();
        if (parsed.priority() >= 0) {
            addedEnv.put(CUDA_TASK_PRIORITY, Integer.toString(parsed.priority()));
        }
        String corePolicy = nvidia.gpuCorePolicy();
        if (gpu && !isBlank(corePolicy) && !"default".equals(corePolicy)) {
            addedEnv.put(GPU_CORE_UTILIZATION_POLICY, corePolicy);
        }
        if (!gpu && nvidia.overwriteEnv()) {
            addedEnv.put(NVIDIA_VISIBLE_DEVICES, "none");
        }
        if (container.getEnv() != null) {
            container.getEnv().forEach(existing -> addedEnv.remove(existing.getName()));
        }

        addLimits(operations, path, resources, addedLimits);
        addEnv(operations, path, container.getEnv(), addedEnv);
        return new ContainerRequest(parsed.containerName(), parsed.init(), nums, parsed.memreq(),
                parsed.memPercentage(), coresreq, parsed.priority());
    }

    /**
     * Adds limits, creating the {@code limits} object when the container has none. Limits are only ever added to a
     * container that names a GPU resource, so {@code resources} exists.
     */
    private static void addLimits(List<JsonPatchOperation> operations, String path, ResourceRequirements resources,
                                  Map<String, String> added) {
        if (added.isEmpty()) {
            return;
        }
        if (resources.getLimits() == null || resources.getLimits().isEmpty()) {
            ObjectNode values = JSON.objectNode();
            added.forEach(values::put);
            operations.add(JsonPatchOperation.add(path + "/resources/limits", values));
        } else {
            added.forEach((name, value) -> operations.add(JsonPatchOperation.add(
                    path + "/resources/limits/" + JsonPatchOperation.escape(name), StringNode.valueOf(value))));
        }
    }

    /** Appends env vars, creating the {@code env} array when the container has none. */
    private static void addEnv(List<JsonPatchOperation> operations, String path, List<EnvVar> env,
                               Map<String, String> added) {
        if (added.isEmpty()) {
            return;
        }
        if (env == null || env.isEmpty()) {
            ArrayNode values = JSON.arrayNode();
            added.forEach((name, value) -> values.add(envVar(name, value)));
            operations.add(JsonPatchOperation.add(path + "/env", values));
        } else {
            added.forEach((name, value) -> operations.add(JsonPatchOperation.add(path + "/env/-",
                    envVar(name, value))));
        }
    }

    private static ObjectNode envVar(String name, String value) {
        ObjectNode node = JSON.objectNode();
        node.put("name", name);
        node.put("value", value);
        return node;
    }

    private void checkInitContainers(List<ContainerRequest> gpuContainers) throws Denial {
        if (config.allocationEncoding().carriesInitContainers()) {
            return;
        }
        for (ContainerRequest request : gpuContainers) {
            if (request.init()) {
                throw new Denial(DenialReason.GPU_INIT_CONTAINER, "init container "
                        + Excerpt.plain(request.containerName()) + " requests "
                        + nvidia.resourceCountName() + ", but the allocation encoding is v2.8: a v2.8 device plugin "
                        + "maps allocation segments to regular containers only, so this init container would take a "
                        + "regular container's GPUs. Set hami.compat.allocation-encoding=v2.9 (needs a v2.9+ device "
                        + "plugin) to run GPU init containers and sidecars");
            }
        }
    }

    private void checkNodeName(PodSpec spec, ContainerRequest firstGpuContainer) throws Denial {
        if (!isBlank(spec.getNodeName())) {
            throw new Denial(DenialReason.NODE_NAME_SET, "pod has node assigned (spec.nodeName: "
                    + Excerpt.plain(spec.getNodeName()) + ") but "
                    + kind(firstGpuContainer) + " " + Excerpt.plain(firstGpuContainer.containerName()) + " requests "
                    + nvidia.resourceCountName() + ": GPU pods must be placed by " + config.schedulerName()
                    + "; use a nodeSelector or node affinity instead of spec.nodeName");
        }
    }

    /**
     * A policy annotation the scheduler could not read would leave the pod Pending: refuse it at admission, by the
     * scheduler's own parser and with its message.
     */
    private static void checkAnnotation(Pod pod, String key, AnnotationParser parser) throws Denial {
        Map<String, String> annotations = pod.getMetadata() == null ? null : pod.getMetadata().getAnnotations();
        String value = annotations == null ? null : annotations.get(key);
        if (value == null) {
            return;
        }
        try {
            parser.parse(value);
        } catch (MalformedAnnotationException e) {
            throw new Denial(DenialReason.INVALID_POLICY_ANNOTATION, e.getMessage());
        }
    }

    @FunctionalInterface
    private interface AnnotationParser {
        Object parse(String value) throws MalformedAnnotationException;
    }

    /**
     * Refuses a pod beyond the namespace's remaining GPU quota. When the lookup cannot tell (see
     * {@link QuotaHeadroom.Unknown}) and the pod asks for GPU memory or cores, it is admitted with a warning instead:
     * the quota is checked again by {@code /filter} before the pod is placed.
     */
    private List<String> checkQuota(String namespace, List<ContainerRequest> gpuContainers) throws Denial {
        long memory = 0;
        long cores = 0;
        for (ContainerRequest request : gpuContainers) {
            memory += (long) request.nums() * request.memreq();
            cores += (long) request.nums() * request.coresreq();
        }
        if (memory == 0 && cores == 0) {
            return List.of();
        }
        QuotaHeadroom headroom = quota.remaining(namespace);
        if (headroom instanceof QuotaHeadroom.Unknown unknown) {
            return List.of(quotaNotCheckedWarning(namespace, unknown.reason()));
        }
        QuotaHeadroom.Known known = (QuotaHeadroom.Known) headroom;
        checkQuota(namespace, memory, known.memoryMiB(), nvidia.resourceMemoryName(), " MiB");
        checkQuota(namespace, cores, known.cores(), nvidia.resourceCoreName(), "");
        return List.of();
    }

    static String quotaNotCheckedWarning(String namespace, String reason) {
        return "GPU quota of namespace " + Excerpt.plain(namespace) + " not checked at admission (" + reason
                + "): the scheduler checks it before placing the pod";
    }

    private static void checkQuota(String namespace, long requested, OptionalLong remaining, String resource,
                                   String unit) throws Denial {
        if (requested > 0 && remaining.isPresent() && requested > remaining.getAsLong()) {
            throw new Denial(DenialReason.QUOTA_EXCEEDED, "exceeding resource quota: pod requests " + requested
                    + unit + " of " + resource
                    + " in total, namespace " + Excerpt.plain(namespace) + " has "
                    + Math.max(0, remaining.getAsLong()) + unit
                    + " left under limits." + resource);
        }
    }

    private String gpuResourcesOf(Map<String, Quantity> limits, Map<String, Quantity> requests) {
        // Names may be empty (resource not used) and so equal: no Set.of, which refuses duplicates.
        Set<String> names = Stream.of(nvidia.resourceCountName(), nvidia.resourceMemoryName(),
                nvidia.resourceMemoryPercentageName(), nvidia.resourceCoreName()).collect(Collectors.toSet());
        return Stream.concat(limits.keySet().stream(), requests.keySet().stream())
                .filter(names::contains).distinct().sorted().collect(Collectors.joining(", "));
    }

    private static String kind(ContainerRequest request) {
        return request.init() ? "init container" : "container";
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }

    /** A refusal found while planning; carries the reason and message for {@link PodMutation.Deny}. */
    private static final class Denial extends Exception {

        private final DenialReason reason;

        Denial(DenialReason reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }
    }
}
