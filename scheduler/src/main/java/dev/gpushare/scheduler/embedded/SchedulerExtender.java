package dev.gpushare.scheduler.embedded;

import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/** The two calls kube-scheduler makes to an extender configured with {@code filterVerb} and {@code bindVerb}. */
public interface SchedulerExtender {

    /**
     * {@code ExtenderFilterResult}.
     *
     * @param nodeNames          the nodes that fit (HAMi's extender names exactly one, the one it chose)
     * @param failedNodes        why each other node does not fit
     * @param failedUnresolvable nodes that would not fit even after preemption, with the reason
     * @param error              a failure of the extender itself; empty when there is none
     */
    record FilterResult(List<String> nodeNames, Map<String, String> failedNodes,
                        Map<String, String> failedUnresolvable, String error) {
        public FilterResult {
            nodeNames = nodeNames == null ? List.of() : List.copyOf(nodeNames);
            failedNodes = failedNodes == null ? Map.of() : Map.copyOf(failedNodes);
            failedUnresolvable = failedUnresolvable == null ? Map.of() : Map.copyOf(failedUnresolvable);
            error = error == null ? "" : error;
        }
    }

    /** {@code POST /filter} with {@code NodeNames} (the extender is {@code nodeCacheCapable}). */
    FilterResult filter(Pod pod, List<String> nodeNames) throws IOException, InterruptedException;

    /** {@code POST /bind}; returns the answer's {@code Error}, empty when the pod was bound. */
    String bind(Pod pod, String node) throws IOException, InterruptedException;
}
