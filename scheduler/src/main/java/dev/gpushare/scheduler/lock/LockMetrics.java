package dev.gpushare.scheduler.lock;

import dev.gpushare.scheduler.metrics.Latency;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;

/**
 * The node lock's meters, all registered at zero: how long taking a lock took by outcome
 * ({@code gpushare_node_lock_wait_seconds}), how many waits ran out ({@code gpushare_node_lock_wait_timeouts_total})
 * and which stale locks were healed ({@code gpushare_node_lock_heals_total{kind}}).
 */
final class LockMetrics {

    private final Timer acquired;
    private final Timer refused;
    private final Counter timeouts;
    private final Map<LockHeal, Counter> heals = new EnumMap<>(LockHeal.class);

    LockMetrics(MeterRegistry meters) {
        String wait = "time a bind spent taking a node lock (queued behind other binds and waiting for another"
                + " pod's lock), by outcome";
        acquired = Latency.timer(meters, "gpushare_node_lock_wait", wait, "outcome", "acquired");
        refused = Latency.timer(meters, "gpushare_node_lock_wait", wait, "outcome", "refused");
        timeouts = Counter.builder("gpushare_node_lock_wait_timeouts")
                .description("binds whose wait for a node lock ran out (hami.bind.lock-wait)").register(meters);
        for (LockHeal heal : LockHeal.values()) {
            heals.put(heal, Counter.builder("gpushare_node_lock_heals").tag("kind", heal.tag())
                    .description("stale node locks broken before taking them, by kind (expired, dangling owner,"
                            + " malformed value)").register(meters));
        }
    }

    void record(LockResult result) {
        if (result instanceof LockResult.Acquired taken) {
            acquired.record(taken.waited());
        } else if (result instanceof LockResult.Refused refusal) {
            refused.record(refusal.waited());
            if (refusal.cause() == LockResult.Cause.TIMED_OUT) {
                timeouts.increment();
            }
        }
    }

    void healed(LockHeal heal) {
        heals.get(heal).increment();
    }
}
