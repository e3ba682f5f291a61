package dev.gpushare.scheduler.extender;

/** What {@code /bind} did; {@link ExtenderJson} writes it as an {@code ExtenderBindingResult}. */
sealed interface BindOutcome {

    /** The pod is bound (now, or by an earlier call whose answer was lost). */
    record Bound() implements BindOutcome {
    }

    /** The pod is not bound; this says why. */
    record Failed(VerbFailure failure, String error) implements BindOutcome {
    }
}
