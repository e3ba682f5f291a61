package dev.gpushare.ops.state;

import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.ops.GpuPods;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What {@code state restore} does for each exported pod that held GPUs, judged against the pods of the cluster
 * now. Pure.
 *
 * <p>A pod is restored only when it still exists with the exported UID. Annotations it lacks are put back; an
 * annotation present with another value is a conflict: the pod is left alone ({@link Refuse}) unless forced, then
 * the exported values win. The {@code hami.io/vgpu-node} label is put back with the annotations.
 */
public final class RestorePlan {

    /** What happens to one exported pod. */
    public sealed interface Step permits Restore, Unchanged, Skip, Refuse {
        String pod();

        String line();
    }

    /**
     * Write these annotations and labels (merge patch guarded by {@code resourceVersion}).
     *
     * @param forced whether conflicting values are overwritten
     */
    public record Restore(String namespace, String name, String resourceVersion, Map<String, String> annotations,
                          Map<String, String> labels, boolean forced) implements Step {
        @Override
        public String pod() {
            return namespace + "/" + name;
        }

        @Override
        public String line() {
            return "restore  " + pod() + ": " + String.join(", ", new TreeMap<>(annotations).keySet())
                    + (labels.isEmpty() ? "" : " and label " + String.join(", ", labels.keySet()))
                    + (forced ? " (forced over differing values)" : "");
        }
    }

    /** The pod carries every exported annotation with the exported value. */
    public record Unchanged(String pod) implements Step {
        @Override
        public String line() {
            return "ok       " + pod + ": annotations as exported";
        }
    }

    /** Nothing to restore: the pod is gone or was recreated (another UID). */
    public record Skip(String pod, String reason) implements Step {
        @Override
        public String line() {
            return "skip     " + pod + ": " + reason;
        }
    }

    /** The pod's annotations differ from the export: never touched without {@code --force}. */
    public record Refuse(String pod, String reason) implements Step {
        @Override
        public String line() {
            return "refuse   " + pod + ": " + reason + "; rerun with --force to overwrite";
        }
    }

    private RestorePlan() {
    }

    public static List<Step> plan(StateDocument exported, List<Pod> current, boolean force) {
        Map<String, Pod> byKey = new LinkedHashMap<>();
        current.forEach(pod -> byKey.put(GpuPods.key(pod), pod));
        List<Step> steps = new ArrayList<>();
        for (StateDocument.PodState pod : exported.pods().stream()
                .filter(p -> p.annotations().containsKey(HamiKeys.DEVICES_ALLOCATED))
                .sorted(Comparator.comparing(StateDocument.PodState::key)).toList()) {
            steps.add(step(pod, byKey.get(pod.key()), force));
        }
        return steps;
    }

    private static Step step(StateDocument.PodState exported, Pod now, boolean force) {
        if (now == null) {
            return new Skip(exported.key(), "gone");
        }
        if (!Objects.equals(now.getMetadata().getUid(), exported.uid())) {
            return new Skip(exported.key(), "recreated (uid " + now.getMetadata().getUid() + ", exported "
                    + exported.uid() + ")");
        }
        if (GpuPods.finished(now)) {
            return new Skip(exported.key(), "finished (phase " + now.getStatus().getPhase() + ")");
        }
        Map<String, String> annotations = GpuPods.annotations(now);
        Map<String, String> labels = now.getMetadata().getLabels() == null ? Map.of() : now.getMetadata().getLabels();
        Map<String, String> missing = new LinkedHashMap<>();
        List<String> conflicts = new ArrayList<>();
        exported.annotations().forEach((key, value) -> {
            String present = annotations.get(key);
            if (present == null) {
                missing.put(key, value);
            } else if (!present.equals(value)) {
                conflicts.add(key + " is '" + present + "', exported '" + value + "'");
            }
        });
        Map<String, String> missingLabels = new LinkedHashMap<>();
        exported.labels().forEach((key, value) -> {
            String present = labels.get(key);
            if (present == null) {
                missingLabels.put(key, value);
            } else if (!present.equals(value)) {
                conflicts.add("label " + key + " is '" + present + "', exported '" + value + "'");
            }
        });
        if (!conflicts.isEmpty() && !force) {
            return new Refuse(exported.key(), String.join("; ", conflicts));
        }
        if (!conflicts.isEmpty()) {
            return new Restore(now.getMetadata().getNamespace(), now.getMetadata().getName(),
                    now.getMetadata().getResourceVersion(), exported.annotations(), exported.labels(), true);
        }
        if (missing.isEmpty() && missingLabels.isEmpty()) {
            return new Unchanged(exported.key());
        }
        return new Restore(now.getMetadata().getNamespace(), now.getMetadata().getName(),
                now.getMetadata().getResourceVersion(), missing, missingLabels, false);
    }
}
