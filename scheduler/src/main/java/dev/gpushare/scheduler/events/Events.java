package dev.gpushare.scheduler.events;

import io.fabric8.kubernetes.api.model.ObjectMeta;

/** Kubernetes Events about pods and nodes, as the verbs and the informers report them. */
public interface Events {

    enum Type { Normal, Warning }

    /** The longest message an Event keeps (the API server rejects longer ones); a longer one is cut to it. */
    int MAX_MESSAGE = 1024;

    /** The message as an Event keeps it. */
    static String cut(String message) {
        return message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE - 3) + "..." : message;
    }

    /** An event on a pod (the pod of an extender request carries no {@code kind}, so it is not read). */
    void onPod(ObjectMeta pod, Type type, String reason, String message);

    void onNode(ObjectMeta node, Type type, String reason, String message);
}
