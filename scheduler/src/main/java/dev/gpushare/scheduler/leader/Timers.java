package dev.gpushare.scheduler.leader;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * When the coordinator's delayed work runs (a lease's expiry, a rebuild's retry): on a real scheduler in
 * production; in tests by a hand that moves a manual clock, so that no test waits for wall-clock time. The task only
 * hands work to the coordinator's own threads.
 */
@FunctionalInterface
public interface Timers {

    /** A scheduled task that can be called off. */
    @FunctionalInterface
    interface Scheduled {
        void cancel();
    }

    Scheduled schedule(Runnable task, Duration delay);

    /** Timers on a real scheduled executor. */
    static Timers on(ScheduledExecutorService executor) {
        return (task, delay) -> {
            var future = executor.schedule(task, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
            return () -> future.cancel(false);
        };
    }
}
