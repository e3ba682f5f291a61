package dev.gpushare.scheduler.embedded;

import io.fabric8.kubernetes.api.model.Pod;

/** What kube-scheduler writes about each attempt: the pod's {@code PodScheduled} condition and an event. */
public interface SchedulingOutcomes {

    /** The pod was bound ({@code Scheduled} event; the Binding itself sets the condition). */
    void scheduled(Pod pod, String node);

    /** No node fits: {@code PodScheduled=False} with reason {@code Unschedulable}, a {@code FailedScheduling} event. */
    void unschedulable(Pod pod, String message);

    /** The attempt failed with an error: {@code PodScheduled=False}, reason {@code SchedulerError}, an event. */
    void failed(Pod pod, String message);
}
