package dev.gpushare.scheduler.lock;

import java.time.Duration;

/** Outcome of taking a node lock for a pod. */
public sealed interface LockResult {

    /**
     * The pod holds the lock.
     *
     * @param waited time spent queued and waiting for another pod's lock to go
     * @param how    how it was taken: {@code free}, {@code re-entrant}, or {@code healed <why>}
     * @param value  the exact value this call wrote: the only one it may release
     */
    record Acquired(Duration waited, String how, String value) implements LockResult {

        /** Whether the pod held the lock already before this call (an earlier bind's hand-over may need it). */
        public boolean reentrant() {
            return "re-entrant".equals(how);
        }
    }

    /** The lock could not be taken; {@code reason} says why, for the extender's {@code Error}. */
    record Refused(String reason, Duration waited) implements LockResult {
    }
}
