package dev.gpushare.scheduler.lock;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** The node lock as {@code /bind} uses it: take it for a pod (waiting up to {@code wait}), give it back. */
public interface NodeLocks {

    /**
     * @param mayWrite asked before every look at the lock and right before the write: false (this replica no longer
     *                 leads, or shuts down) ends the wait at once with a refusal and writes nothing
     */
    LockResult acquire(String node, String namespace, String name, Duration wait, BooleanSupplier mayWrite)
            throws InterruptedException;

    /**
     * Releases the lock only if it still holds {@code value}, the exact value this bind wrote; returns false when it
     * could not (it then expires on its own).
     */
    boolean releaseOwn(String node, String value);
}
