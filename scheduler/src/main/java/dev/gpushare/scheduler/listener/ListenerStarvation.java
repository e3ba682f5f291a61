package dev.gpushare.scheduler.listener;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The readiness contribution of the extender listener: DOWN, with a detail naming the condition, when every worker
 * thread of its pool has been busy for {@code grace} or longer (seen at two probes in a row at the kubelet's
 * default period). kube-scheduler's calls then queue behind them and time out, while the management listener,
 * which has its own pool, would keep answering UP.
 */
final class ListenerStarvation implements HealthIndicator {

    /** The pool's state now; {@code null} before the listener has started. */
    record Pool(int busyThreads, int maxThreads) {
        boolean saturated() {
            return busyThreads >= maxThreads;
        }
    }

    private final Supplier<Pool> pool;
    private final Clock clock;
    private final Duration grace;
    private Instant saturatedSince;

    ListenerStarvation(Supplier<Pool> pool, Clock clock, Duration grace) {
        this.pool = pool;
        this.clock = clock;
        this.grace = grace;
    }

    @Override
    public synchronized Health health() {
        Pool now = pool.get();
        if (now == null) {
            return Health.up().withDetail("extender", "not started").build();
        }
        Instant at = clock.instant();
        if (!now.saturated()) {
            saturatedSince = null;
        } else if (saturatedSince == null) {
            saturatedSince = at;
        }
        Health.Builder health = saturatedSince != null && !at.isBefore(saturatedSince.plus(grace))
                ? Health.down().withDetail("condition", "extender listener starved: all " + now.maxThreads()
                        + " worker threads busy since " + saturatedSince)
                : Health.up();
        return health.withDetail("busyThreads", now.busyThreads()).withDetail("maxThreads", now.maxThreads()).build();
    }
}
