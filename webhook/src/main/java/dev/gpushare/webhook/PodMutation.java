package dev.gpushare.webhook;

import java.util.List;
import java.util.Objects;

/** What the mutator decided for one pod. */
public sealed interface PodMutation permits PodMutation.Skip, PodMutation.Patch, PodMutation.Deny {

    /** Not ours to touch (another scheduler's pod, or not a create): allowed, no patch. */
    record Skip(String reason) implements PodMutation {

        public Skip {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** Allowed with these operations; none means allowed unchanged. */
    record Patch(List<JsonPatchOperation> operations) implements PodMutation {

        public Patch {
            operations = List.copyOf(operations);
        }
    }

    /** Refused; the message names the container and the field at fault. */
    record Deny(DenialReason reason, String message) implements PodMutation {

        public Deny {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(message, "message");
        }
    }
}
