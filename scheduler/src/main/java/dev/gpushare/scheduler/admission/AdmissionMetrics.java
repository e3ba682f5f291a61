package dev.gpushare.scheduler.admission;

import dev.gpushare.scheduler.metrics.Latency;
import dev.gpushare.webhook.AdmissionResult;
import dev.gpushare.webhook.DenialReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * The webhook's meters: {@value #ADMISSIONS} and {@value #DURATION} by {@code outcome} (the
 * {@link AdmissionResult.Outcome} in lower case, or {@value #TOO_LARGE}), {@value #DENIALS} by {@code reason} (the
 * {@link DenialReason}), and {@value #ERRORS}, the internal errors behind {@code outcome="internal_error"}, to alert
 * on. All are registered at start so that they read 0 rather than being absent.
 */
final class AdmissionMetrics {

    static final String ADMISSIONS = "gpushare_webhook_admissions";
    static final String DENIALS = "gpushare_webhook_denials";
    static final String ERRORS = "gpushare_webhook_errors";
    static final String DURATION = "gpushare_webhook_duration";
    static final String TOO_LARGE = "too_large";

    private record PerOutcome(Counter count, Timer duration) {
    }

    private final MeterRegistry meters;
    private final Map<AdmissionResult.Outcome, PerOutcome> byOutcome = new EnumMap<>(AdmissionResult.Outcome.class);
    private final Map<DenialReason, Counter> byReason = new EnumMap<>(DenialReason.class);
    private final PerOutcome tooLarge;
    private final Counter errors;

    AdmissionMetrics(MeterRegistry meters) {
        this.meters = meters;
        for (AdmissionResult.Outcome outcome : AdmissionResult.Outcome.values()) {
            byOutcome.put(outcome, perOutcome(meters, tag(outcome)));
        }
        tooLarge = perOutcome(meters, TOO_LARGE);
        for (DenialReason reason : DenialReason.values()) {
            byReason.put(reason, Counter.builder(DENIALS).tag("reason", reason.tag())
                    .description("pods refused by /webhook, by reason").register(meters));
        }
        errors = Counter.builder(ERRORS).description("/webhook requests that failed on an internal error (a bug or a"
                + " failing dependency); the pod was allowed unchanged").register(meters);
    }

    private static PerOutcome perOutcome(MeterRegistry meters, String outcome) {
        return new PerOutcome(Counter.builder(ADMISSIONS).tag("outcome", outcome)
                .description("AdmissionReview requests answered by /webhook, by outcome").register(meters),
                Latency.timer(meters, DURATION, "time /webhook took to answer, by outcome", "outcome", outcome));
    }

    static String tag(AdmissionResult.Outcome outcome) {
        return outcome.name().toLowerCase(Locale.ROOT);
    }

    /** Starts timing one request on the registry's clock. */
    Timer.Sample start() {
        return Timer.start(meters);
    }

    void record(AdmissionResult result, Timer.Sample started) {
        PerOutcome counted = byOutcome.get(result.outcome());
        counted.count().increment();
        started.stop(counted.duration());
        result.denialReason().ifPresent(reason -> byReason.get(reason).increment());
        if (result.internalError().isPresent()) {
            errors.increment();
        }
    }

    /** A request the handler failed on without an answer (a bug): counted as an internal error. */
    void recordFailure(Timer.Sample started) {
        PerOutcome counted = byOutcome.get(AdmissionResult.Outcome.INTERNAL_ERROR);
        counted.count().increment();
        started.stop(counted.duration());
        errors.increment();
    }

    void recordTooLarge(Timer.Sample started) {
        tooLarge.count().increment();
        started.stop(tooLarge.duration());
    }
}
