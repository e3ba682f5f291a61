package dev.gpushare.scheduler.extender;

import java.time.Instant;

/**
 * The pod writes the verbs make, behind an interface so that their tests can record them with a small fake where a
 * whole API server is not the point. Implementations throw {@code KubernetesClientException} when the API refuses.
 */
public interface PodWrites {

    /**
     * {@code /filter}'s decision, for the device plugin and for any scheduler that rebuilds its ledger:
     * {@code hami.io/vgpu-node}, {@code hami.io/vgpu-time}, the allocation annotations and the placement's seal
     * ({@code gpushare.dev/placement-seal}), in one patch. Annotations only: kube-scheduler re-queues an assumed pod
     * on any other change (a label, say) and asks {@code /filter} again.
     */
    void writePlacement(String namespace, String name, String node, String allocation, String seal,
                        Instant filteredAt);

    /** {@code hami.io/bind-phase: allocating} and {@code hami.io/bind-time}, before the Binding. */
    void markAllocating(String namespace, String name, Instant at);

    /** Removes {@code hami.io/bind-phase} and {@code bind-time} again (a Binding that failed: no plugin will come). */
    void clearBindPhase(String namespace, String name);

    /** The {@code hami.io/vgpu-node} label of a pod bound to {@code node} (HAMi's vGPU monitor selects by it). */
    void labelBound(String namespace, String name, String node);
}
