package dev.gpushare.webhook;

import java.util.Objects;
import java.util.OptionalLong;

/** What the quota lookup can say about a namespace at admission. */
public sealed interface QuotaHeadroom permits QuotaHeadroom.Known, QuotaHeadroom.Unknown {

    /** No GPU limit in the namespace. */
    QuotaHeadroom UNLIMITED = new Known(OptionalLong.empty(), OptionalLong.empty());

    /**
     * What a namespace may still use under its {@code limits.nvidia.com/gpumem} and {@code limits.nvidia.com/gpucores}
     * ResourceQuota entries (limit minus what its pods already hold); empty where the namespace has no such limit.
     * Memory is in the ledger's unit: MiB already multiplied by {@code memoryFactor}, like the limit.
     */
    record Known(OptionalLong memoryMiB, OptionalLong cores) implements QuotaHeadroom {

        public Known {
            Objects.requireNonNull(memoryMiB, "memoryMiB");
            Objects.requireNonNull(cores, "cores");
        }
    }

    /**
     * The lookup cannot tell right now (its ledger is not current). The pod is admitted without the check and the
     * AdmissionReview answer carries a warning with {@code reason}, a short fixed text.
     */
    record Unknown(String reason) implements QuotaHeadroom {

        public Unknown {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
