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

    /**
     * Allowed with these operations; none means allowed unchanged. The warnings go to the user (AdmissionReview
     * {@code response.warnings}), e.g. that the namespace's GPU quota could not be checked.
     */
    record Patch(List<JsonPatchOperation> operations, List<String> warnings) implements PodMutation {

        public Patch {
            operations = List.copyOf(operations);
            warnings = List.copyOf(warnings);
        }

        public Patch(List<JsonPatchOperation> operations) {
            this(operations, List.of());
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
