package dev.gpushare.scheduler.lock;

import java.time.Duration;

/** The node lock as {@code /bind} uses it: take it for a pod (waiting up to {@code wait}), give it back. */
public interface NodeLocks {

    LockResult acquire(String node, String namespace, String name, Duration wait) throws InterruptedException;

    /** Releases the pod's lock on the node; returns false when it could not (it then expires on its own). */
    boolean release(String node, String namespace, String name);
}
