package dev.gpushare.common.seal;

import dev.gpushare.common.annotation.HamiKeys;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether the usage ledger may count a placement it finds in a pod's annotations: a placement counts when its seal
 * verifies; an unsealed one only as the operator's migration setting allows ({@link UnsealedPolicy}); a bad seal
 * never. (A placement that this replica's own ledger already holds counts whatever its annotations say; that part of
 * the rule lives with the ledger.) Pure.
 */
public final class PlacementTrust {

    /** Why a placement is not counted: the label value of {@code gpushare_ledger_ignored_allocations_total}. */
    public enum Reason {
        /** No seal, and the migration setting does not cover the pod. */
        UNSEALED("unsealed"),
        /** A seal that does not verify. */
        BAD_SEAL("bad_seal");

        private final String label;

        Reason(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** The verdict on one pod's placement. */
    public sealed interface Verdict {
        /** Count it. */
        record Trusted(boolean sealed) implements Verdict {
        }

        /** Do not count it; {@code message} says why, for the pod's Warning event. */
        record Ignored(Reason reason, String message) implements Verdict {
        }
    }

    /**
     * Which unsealed placements are trusted, for a migration from HAMi's Go scheduler (which writes the same
     * annotations without a seal).
     *
     * @param trustAll      every unsealed placement ({@code hami.ledger.trust-unsealed}: HAMi's scheduler still
     *                      places pods beside ours); forged placements are then counted too
     * @param createdBefore unsealed placements of pods the API server created before this instant
     *                      ({@code hami.ledger.trust-unsealed-before}: the pods placed before the switch-over; the
     *                      API server sets {@code creationTimestamp}, so no pod created later can claim it)
     */
    public record UnsealedPolicy(boolean trustAll, Optional<Instant> createdBefore) {

        public UnsealedPolicy {
            Objects.requireNonNull(createdBefore, "createdBefore");
        }

        /** No unsealed placement is trusted. */
        public static UnsealedPolicy none() {
            return new UnsealedPolicy(false, Optional.empty());
        }

        /** @param createdAt the pod's {@code creationTimestamp}, {@code null} when absent or unreadable */
        public boolean trusts(Instant createdAt) {
            return trustAll || (createdAt != null && createdBefore.isPresent()
                    && createdAt.isBefore(createdBefore.get()));
        }
    }

    private final PlacementSeal seal;
    private final UnsealedPolicy unsealed;

    public PlacementTrust(PlacementSeal seal, UnsealedPolicy unsealed) {
        this.seal = Objects.requireNonNull(seal, "seal");
        this.unsealed = Objects.requireNonNull(unsealed, "unsealed");
    }

    public PlacementSeal seal() {
        return seal;
    }

    public UnsealedPolicy unsealed() {
        return unsealed;
    }

    /**
     * The verdict on the placement in {@code annotations} of the pod with {@code uid}, created at {@code createdAt}
     * ({@code null} when unknown).
     */
    public Verdict judge(String uid, Instant createdAt, Map<String, String> annotations) {
        SealCheck check = seal.check(uid, annotations);
        if (check instanceof SealCheck.Valid) {
            return new Verdict.Trusted(true);
        }
        if (check instanceof SealCheck.BadSeal bad) {
            return new Verdict.Ignored(Reason.BAD_SEAL, "allocation not counted: " + bad.problem());
        }
        if (unsealed.trusts(createdAt)) {
            return new Verdict.Trusted(false);
        }
        return new Verdict.Ignored(Reason.UNSEALED, "allocation not counted: it carries no "
                + HamiKeys.PLACEMENT_SEAL + " (not placed by this scheduler)"
                + unsealed.createdBefore().map(t -> " and the pod was created after " + t
                        + ", the cut-off for unsealed allocations").orElse(""));
    }
}
