package dev.gpushare.scheduler.leader;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A hand-written {@link LeaderLedger}: counts rebuilds and relinquishes; while {@link #hold()} is in force each rebuild
 * waits for one {@link #allow()}.
 */
final class RecordingLedger implements LeaderLedger {

    final AtomicInteger rebuildsStarted = new AtomicInteger();
    final AtomicInteger rebuildsDone = new AtomicInteger();
    final AtomicInteger relinquished = new AtomicInteger();
    private final Semaphore permits = new Semaphore(0);
    private volatile boolean held;

    void hold() {
        held = true;
    }

    void allow() {
        permits.release();
    }

    @Override
    public boolean catchUp(long term, Duration timeout) {
        return true;
    }

    @Override
    public Rebuilt rebuild() {
        rebuildsStarted.incrementAndGet();
        if (held) {
            permits.acquireUninterruptibly();
        }
        rebuildsDone.incrementAndGet();
        return new Rebuilt(1, 2, 3, 0);
    }

    @Override
    public int relinquish() {
        relinquished.incrementAndGet();
        return 0;
    }
}
