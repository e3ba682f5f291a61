package dev.gpushare.scheduler.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * The latency histograms of the project: one fixed set of buckets from 1 ms to 30 s (kube-scheduler's extender
 * timeout and the API server's webhook timeout both fall inside), so that every histogram has the same 16 series
 * per label set and percentiles can be compared across verbs.
 */
public final class Latency {

    private static final Duration[] BUCKETS = {
        Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
        Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
        Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(30)};

    private Latency() {
    }

    /** A timer {@code name} (exported as {@code <name>_seconds}) with these buckets. */
    public static Timer timer(MeterRegistry meters, String name, String description, String... tags) {
        return Timer.builder(name).description(description).tags(tags).serviceLevelObjectives(BUCKETS)
                .minimumExpectedValue(BUCKETS[0]).maximumExpectedValue(BUCKETS[BUCKETS.length - 1])
                .register(meters);
    }
}
