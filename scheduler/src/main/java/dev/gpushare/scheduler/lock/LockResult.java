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
    record Refused(Cause cause, String reason, Duration waited) implements LockResult {
    }

    /** Why a lock was refused, as a small fixed set (a metric label). */
    enum Cause {
        /** This replica stopped leading (lost, or shutting down) while the bind waited. */
        LEADERSHIP_ENDED,
        /** Another pod held it (or other binds queued before us) until the wait ran out. */
        TIMED_OUT,
        /** Another pod holds it and the wait is zero (HAMi's behaviour): refused at once. */
        HELD,
        /** The node does not exist (any more). */
        NODE_NOT_FOUND,
        /** The node kept changing under our compare-and-set. */
        CONFLICTS,
        /** The API server failed the read or the write. */
        API_ERROR;

        public String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
