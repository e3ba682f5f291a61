package dev.gpushare.scheduler.embedded;

import dev.gpushare.scheduler.events.EventRecorder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link SchedulingOutcomes} written to the API as kube-scheduler writes them: a merge patch of the pod's status
 * that sets its {@code PodScheduled} condition (the other conditions kept, the transition time kept while the
 * status stays the same) and an event from the scheduler's name.
 */
public final class PodStatusWriter implements SchedulingOutcomes {

    private static final Logger log = LoggerFactory.getLogger(PodStatusWriter.class);

    private final KubernetesClient client;
    private final EventRecorder events;
    private final Clock clock;

    public PodStatusWriter(KubernetesClient client, EventRecorder events, Clock clock) {
        this.client = client;
        this.events = events;
        this.clock = clock;
    }

    @Override
    public void scheduled(Pod pod, String node) {
        events.onPod(pod.getMetadata(), EventRecorder.Type.Normal, "Scheduled", "Successfully assigned "
                + pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName() + " to " + node);
    }

    @Override
    public void unschedulable(Pod pod, String message) {
        condition(pod, "Unschedulable", message);
        events.onPod(pod.getMetadata(), EventRecorder.Type.Warning, "FailedScheduling", message);
    }

    @Override
    public void failed(Pod pod, String message) {
        condition(pod, "SchedulerError", message);
        events.onPod(pod.getMetadata(), EventRecorder.Type.Warning, "FailedScheduling", message);
    }

    private void condition(Pod pod, String reason, String message) {
        List<Object> conditions = new ArrayList<>();
        String since = DateTimeFormatter.ISO_INSTANT.format(clock.instant().truncatedTo(ChronoUnit.SECONDS));
        List<PodCondition> current = pod.getStatus() == null || pod.getStatus().getConditions() == null ? List.of()
                : pod.getStatus().getConditions();
        for (PodCondition condition : current) {
            if ("PodScheduled".equals(condition.getType())) {
                if ("False".equals(condition.getStatus()) && condition.getLastTransitionTime() != null) {
                    since = condition.getLastTransitionTime();
                }
            } else {
                conditions.add(condition);
            }
        }
        Map<String, Object> scheduled = new LinkedHashMap<>();
        scheduled.put("type", "PodScheduled");
        scheduled.put("status", "False");
        scheduled.put("lastProbeTime", null);
        scheduled.put("lastTransitionTime", since);
        scheduled.put("reason", reason);
        scheduled.put("message", message);
        conditions.add(scheduled);
        try {
            client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                    .subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE),
                            Serialization.asJson(Map.of("status", Map.of("conditions", conditions))));
        } catch (KubernetesClientException e) {
            // The pod may be gone already; the next attempt writes the condition again.
            log.debug("PodScheduled not written pod={}/{}: {}", pod.getMetadata().getNamespace(),
                    pod.getMetadata().getName(), e.getMessage());
        }
    }
}
