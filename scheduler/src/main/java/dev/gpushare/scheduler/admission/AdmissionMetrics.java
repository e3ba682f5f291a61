package dev.gpushare.scheduler.admission;

import dev.gpushare.webhook.AdmissionResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * The webhook's counters: {@value #ADMISSIONS}, one per request tagged by {@code outcome} (the
 * {@link AdmissionResult.Outcome} in lower case, or {@value #TOO_LARGE}), and {@value #ERRORS}, the internal errors
 * behind {@code outcome="internal_error"} admissions, to alert on. All are registered at start so that they read 0
 * rather than being absent.
 */
final class AdmissionMetrics {

    static final String ADMISSIONS = "gpushare_webhook_admissions_total";
    static final String ERRORS = "gpushare_webhook_errors_total";
    static final String TOO_LARGE = "too_large";

    private final Map<AdmissionResult.Outcome, Counter> byOutcome = new EnumMap<>(AdmissionResult.Outcome.class);
    private final Counter tooLarge;
    private final Counter errors;

    AdmissionMetrics(MeterRegistry meters) {
        for (AdmissionResult.Outcome outcome : AdmissionResult.Outcome.values()) {
            byOutcome.put(outcome, meters.counter(ADMISSIONS, "outcome", tag(outcome)));
        }
        tooLarge = meters.counter(ADMISSIONS, "outcome", TOO_LARGE);
        errors = meters.counter(ERRORS);
    }

    static String tag(AdmissionResult.Outcome outcome) {
        return outcome.name().toLowerCase(Locale.ROOT);
    }

    void record(AdmissionResult result) {
        byOutcome.get(result.outcome()).increment();
        if (result.internalError().isPresent()) {
            errors.increment();
        }
    }

    /** A request the handler failed on without an answer (a bug): counted as an internal error. */
    void recordFailure() {
        byOutcome.get(AdmissionResult.Outcome.INTERNAL_ERROR).increment();
        errors.increment();
    }

    void recordTooLarge() {
        tooLarge.increment();
    }
}
