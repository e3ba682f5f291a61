package dev.gpushare.webhook;

import java.util.Locale;

/** Why the webhook refused a pod, as a small fixed set (a metric label); the message says the rest. */
public enum DenialReason {
    /** The pod has no containers. */
    NO_CONTAINERS,
    /** A GPU quantity or policy value that cannot be read ({@code gpucores} over 100, a binary suffix, ...). */
    INVALID_REQUEST,
    /** A privileged container asks for GPUs (its share could not be enforced). */
    PRIVILEGED_CONTAINER,
    /** An init container asks for GPUs under the {@code v2.8} allocation encoding. */
    GPU_INIT_CONTAINER,
    /** {@code spec.nodeName} is set on a GPU pod (it would bypass the scheduler). */
    NODE_NAME_SET,
    /** A scheduling-policy annotation with an unknown value. */
    INVALID_POLICY_ANNOTATION,
    /** A create carries, or an update by someone else than the scheduler changes, a scheduler-owned key. */
    SCHEDULER_OWNED_ANNOTATION,
    /** The namespace's GPU quota cannot hold the pod. */
    QUOTA_EXCEEDED;

    /** The label value: the name in lower case. */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
