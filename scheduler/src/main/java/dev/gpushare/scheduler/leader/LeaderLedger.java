package dev.gpushare.scheduler.leader;

import java.time.Duration;

/** What a leadership term needs of the usage ledger (the seam that lets the coordinator be tested with a fake). */
public interface LeaderLedger {

    /** What a rebuild found in the informer stores. */
    record Rebuilt(int nodes, int pods, int entries, int repairs) {
    }

    /**
     * Waits up to {@code timeout} until the informer stores are synced and hold every write made before this call
     * (in particular the last writes of the previous leader); returns false on timeout.
     */
    boolean catchUp(long term, Duration timeout) throws InterruptedException;

    /** Replaces the ledger by what the informer stores hold (not by replayed events). */
    Rebuilt rebuild();

    /** Leadership lost: drops the reservations only this process knew of; returns how many. */
    int relinquish();
}
