package dev.gpushare.scheduler.extender;

import dev.gpushare.placement.FailureReason;
import dev.gpushare.placement.NodeRejection;
import dev.gpushare.scheduler.metrics.Latency;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

/**
 * The extender verbs' meters, recorded once per request where the pipeline has the verb's outcome, all registered
 * at zero: requests and answer time by {@code outcome}, failures by {@code reason} ({@link VerbFailure}), and for
 * {@code /filter} the candidate nodes refused by {@code reason} (HAMi's reason names, {@link FailureReason}). An
 * unschedulable pod is an outcome of its own, not a success and not a failure.
 */
public final class VerbMetrics {

    private record Outcome(Counter requests, Timer duration) {
        void record(Timer.Sample started) {
            requests.increment();
            started.stop(duration);
        }
    }

    private final MeterRegistry meters;
    private final Outcome filterPassed;
    private final Outcome filterUnschedulable;
    private final Outcome filterFailed;
    private final Outcome bound;
    private final Outcome bindFailed;
    private final Map<VerbFailure, Counter> filterFailures = new EnumMap<>(VerbFailure.class);
    private final Map<VerbFailure, Counter> bindFailures = new EnumMap<>(VerbFailure.class);
    private final Map<FailureReason, Counter> rejections = new EnumMap<>(FailureReason.class);

    public VerbMetrics(MeterRegistry meters) {
        this.meters = meters;
        filterPassed = outcome("filter", "passed");
        filterUnschedulable = outcome("filter", "unschedulable");
        filterFailed = outcome("filter", "failed");
        bound = outcome("bind", "bound");
        bindFailed = outcome("bind", "failed");
        for (VerbFailure failure : VerbFailure.of(VerbFailure.Scope.FILTER)) {
            filterFailures.put(failure, failures("filter", failure));
        }
        for (VerbFailure failure : VerbFailure.of(VerbFailure.Scope.BIND)) {
            bindFailures.put(failure, failures("bind", failure));
        }
        for (FailureReason reason : FailureReason.values()) {
            rejections.put(reason, Counter.builder("gpushare_filter_node_rejections").tag("reason", reason.wireName())
                    .description("candidate nodes /filter refused for a pod it found no node for, by reason (a"
                            + " node refused for two reasons counts under both)").register(meters));
        }
    }

    private Outcome outcome(String verb, String outcome) {
        return new Outcome(Counter.builder("gpushare_" + verb + "_requests").tag("outcome", outcome)
                .description("/" + verb + " requests answered, by outcome").register(meters),
                Latency.timer(meters, "gpushare_" + verb + "_duration", "time /" + verb + " took to answer, from"
                        + " reading the body to writing the answer, by outcome", "outcome", outcome));
    }

    private Counter failures(String verb, VerbFailure failure) {
        return Counter.builder("gpushare_" + verb + "_failures").tag("reason", failure.tag())
                .description("/" + verb + " requests answered with an Error, by reason").register(meters);
    }

    /** Starts timing one request on the registry's clock. */
    Timer.Sample start() {
        return Timer.start(meters);
    }

    void filter(FilterOutcome outcome, Timer.Sample started) {
        if (outcome instanceof FilterOutcome.Unschedulable unschedulable) {
            filterUnschedulable.record(started);
            for (NodeRejection rejection : unschedulable.rejections().values()) {
                rejection.reasons().forEach(reason -> rejections.get(reason).increment());
            }
        } else if (outcome instanceof FilterOutcome.Failed failed) {
            filterFailed.record(started);
            filterFailures.get(failed.failure()).increment();
        } else {
            filterPassed.record(started);
        }
    }

    void bind(BindOutcome outcome, Timer.Sample started) {
        if (outcome instanceof BindOutcome.Failed failed) {
            bindFailed.record(started);
            bindFailures.get(failed.failure()).increment();
        } else {
            bound.record(started);
        }
    }

    /** The reason most candidate nodes gave (ties: the first by wire name), for {@code gpushare_pending_pods}. */
    static String dominantReason(FilterOutcome.Unschedulable unschedulable) {
        Map<FailureReason, Integer> nodes = new HashMap<>();
        unschedulable.rejections().values().forEach(r -> r.reasons().forEach(reason -> nodes.merge(reason, 1,
                Integer::sum)));
        return nodes.entrySet().stream()
                .sorted(Map.Entry.<FailureReason, Integer>comparingByValue().reversed()
                        .thenComparing(e -> e.getKey().wireName()))
                .map(e -> e.getKey().wireName()).findFirst().orElse("no candidate nodes");
    }
}
