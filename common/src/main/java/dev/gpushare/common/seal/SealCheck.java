package dev.gpushare.common.seal;

/** What {@link PlacementSeal#check} found on a pod. */
public sealed interface SealCheck {

    /** The seal verifies: the placement was made by a holder of the key for this very pod. */
    record Valid() implements SealCheck {
    }

    /** No seal: a placement written by HAMi's Go scheduler, by a version of ours before seals, or forged. */
    record Unsealed() implements SealCheck {
    }

    /** A seal that does not verify (tampered placement, a seal copied from another pod, or another key). */
    record BadSeal(String problem) implements SealCheck {
    }
}
