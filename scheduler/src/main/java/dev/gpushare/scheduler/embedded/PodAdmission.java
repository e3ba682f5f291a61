package dev.gpushare.scheduler.embedded;

import tools.jackson.databind.node.ObjectNode;

/**
 * What the embedded API does with a pod being created, before it stores it: the API server's call of the mutating
 * admission webhook.
 */
@FunctionalInterface
public interface PodAdmission {

    /** Stores every pod as it comes (no webhook configured). */
    PodAdmission NONE = pod -> new Verdict.Allowed(pod);

    sealed interface Verdict {
        /** Store {@code pod} (the request's pod with the webhook's patch applied). */
        record Allowed(ObjectNode pod) implements Verdict {
        }

        /** Refuse the create with the webhook's message. */
        record Denied(String message) implements Verdict {
        }
    }

    /** Reviews {@code pod} (already defaulted: namespace, scheduler name, phase); must not modify it. */
    Verdict review(ObjectNode pod);
}
