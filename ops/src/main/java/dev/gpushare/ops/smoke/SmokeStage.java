package dev.gpushare.ops.smoke;

import dev.gpushare.common.annotation.BindPhase;
import dev.gpushare.common.annotation.HamiKeys;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.util.Map;

/** How far a smoke-test pod got on the path admission, filter, bind, device plugin. Pure. */
public enum SmokeStage {
    /** No {@code hami.io/vgpu-node}: {@code /filter} has not placed it. */
    NOT_FILTERED,
    /** Placed by {@code /filter}, {@code spec.nodeName} not set: {@code /bind} has not bound it. */
    NOT_BOUND,
    /** Bound; {@code hami.io/bind-phase} is not {@code success} yet: the device plugin has not allocated. */
    NOT_ALLOCATED,
    /** The device plugin wrote {@code bind-phase: failed}. */
    ALLOCATION_FAILED,
    /** {@code bind-phase: success}. */
    SUCCEEDED;

    public static SmokeStage of(Pod pod) {
        Map<String, String> annotations = pod.getMetadata().getAnnotations() == null ? Map.of()
                : pod.getMetadata().getAnnotations();
        if (!annotations.containsKey(HamiKeys.VGPU_NODE) || !annotations.containsKey(HamiKeys.DEVICES_ALLOCATED)) {
            return NOT_FILTERED;
        }
        String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        if (node == null || node.isEmpty()) {
            return NOT_BOUND;
        }
        String phase = annotations.get(HamiKeys.BIND_PHASE);
        if (BindPhase.SUCCESS.value().equals(phase)) {
            return SUCCEEDED;
        }
        return BindPhase.FAILED.value().equals(phase) ? ALLOCATION_FAILED : NOT_ALLOCATED;
    }

    /** Why the pod stopped here, for the report. */
    public String explain(Pod pod, String schedulerName) {
        return switch (this) {
            case NOT_FILTERED -> "not placed by /filter (no " + HamiKeys.VGPU_NODE + "); schedulerName is "
                    + (pod.getSpec() == null ? "?" : pod.getSpec().getSchedulerName()) + ", expected " + schedulerName
                    + unschedulable(pod);
            case NOT_BOUND -> "placed on node " + pod.getMetadata().getAnnotations().get(HamiKeys.VGPU_NODE)
                    + " but not bound (/bind failed or waits for the node lock)" + unschedulable(pod);
            case NOT_ALLOCATED -> "bound to node " + pod.getSpec().getNodeName() + ", " + HamiKeys.BIND_PHASE + " is "
                    + pod.getMetadata().getAnnotations().getOrDefault(HamiKeys.BIND_PHASE, "absent")
                    + ": the device plugin has not allocated it";
            case ALLOCATION_FAILED -> "the device plugin on node " + pod.getSpec().getNodeName()
                    + " failed to allocate (" + HamiKeys.BIND_PHASE + ": failed)";
            case SUCCEEDED -> HamiKeys.BIND_PHASE + ": success";
        };
    }

    private static String unschedulable(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
            return "";
        }
        for (PodCondition condition : pod.getStatus().getConditions()) {
            if ("PodScheduled".equals(condition.getType()) && "False".equals(condition.getStatus())
                    && condition.getMessage() != null) {
                return "; PodScheduled: " + condition.getMessage();
            }
        }
        return "";
    }
}
