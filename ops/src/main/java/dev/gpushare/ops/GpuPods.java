package dev.gpushare.ops;

import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.common.config.DeviceConfig;
import dev.gpushare.common.request.InvalidRequestException;
import dev.gpushare.common.request.PodRequestParser;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Map;

/** Which pods matter to the ops commands, and what their HAMi annotations are. */
public final class GpuPods {

    /**
     * The pod annotations the scheduler writes (and the device plugin updates): what a restore puts back. The seal
     * belongs to the placement: restored with the same pod UID it verifies again.
     */
    public static final List<String> SCHEDULER_ANNOTATIONS = List.of(HamiKeys.VGPU_NODE, HamiKeys.VGPU_TIME,
            HamiKeys.DEVICES_TO_ALLOCATE, HamiKeys.DEVICES_ALLOCATED, HamiKeys.BIND_PHASE, HamiKeys.BIND_TIME,
            HamiKeys.PLACEMENT_SEAL);

    private static final PodRequestParser PARSER = new PodRequestParser(DeviceConfig.defaults());

    private GpuPods() {
    }

    /** {@code Succeeded} or {@code Failed}: whatever it held is free. */
    public static boolean finished(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    /** Asks for NVIDIA GPUs in its resources (a request the parser refuses counts as asking). */
    public static boolean requestsGpu(Pod pod) {
        try {
            return PARSER.parse(pod).requestsAnyGpu();
        } catch (InvalidRequestException e) {
            return true;
        }
    }

    public static Map<String, String> annotations(Pod pod) {
        Map<String, String> annotations = pod.getMetadata().getAnnotations();
        return annotations == null ? Map.of() : annotations;
    }

    /** Carries any of {@link #SCHEDULER_ANNOTATIONS}. */
    public static boolean annotated(Pod pod) {
        Map<String, String> annotations = annotations(pod);
        return SCHEDULER_ANNOTATIONS.stream().anyMatch(annotations::containsKey);
    }

    /** Not finished, and asks for GPUs or carries scheduler annotations. */
    public static boolean relevant(Pod pod) {
        return !finished(pod) && (annotated(pod) || requestsGpu(pod));
    }

    public static String key(Pod pod) {
        return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    }

    public static String nodeName(Pod pod) {
        String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        return node == null || node.isEmpty() ? null : node;
    }

    public static String schedulerName(Pod pod) {
        String name = pod.getSpec() == null ? null : pod.getSpec().getSchedulerName();
        return name == null || name.isEmpty() ? "default-scheduler" : name;
    }
}
