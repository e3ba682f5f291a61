package dev.gpushare.scheduler.embedded;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.function.Consumer;

/** How the node-side stand-ins (kubelet, device plugin) follow pods: every version seen, and every pod gone. */
final class PodInformer {

    private PodInformer() {
    }

    /** Informs on the pods of every namespace; {@code seen} gets each added or updated pod. */
    static SharedIndexInformer<Pod> everyPod(KubernetesClient client, Consumer<Pod> seen, Consumer<Pod> gone) {
        return client.pods().inAnyNamespace().inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                seen.accept(pod);
            }

            @Override
            public void onUpdate(Pod before, Pod pod) {
                seen.accept(pod);
            }

            @Override
            public void onDelete(Pod pod, boolean unknownFinalState) {
                gone.accept(pod);
            }
        });
    }
}
