package dev.gpushare.scheduler.extender;

/** Creates the Binding of a pod to a node (kube-scheduler's Bind step). */
@FunctionalInterface
public interface PodBinder {

    /**
     * Binds the pod, with its UID as a precondition (a pod of the same name recreated meanwhile is refused).
     *
     * @throws io.fabric8.kubernetes.client.KubernetesClientException when the API server refuses
     */
    void bind(String namespace, String name, String uid, String node) throws InterruptedException;
}
