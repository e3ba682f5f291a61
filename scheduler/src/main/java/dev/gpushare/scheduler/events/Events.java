package dev.gpushare.scheduler.events;

import io.fabric8.kubernetes.api.model.ObjectMeta;

/** Kubernetes Events about pods and nodes, as the verbs and the informers report them. */
public interface Events {

    enum Type { Normal, Warning }

    /** An event on a pod (the pod of an extender request carries no {@code kind}, so it is not read). */
    void onPod(ObjectMeta pod, Type type, String reason, String message);

    void onNode(ObjectMeta node, Type type, String reason, String message);
}
