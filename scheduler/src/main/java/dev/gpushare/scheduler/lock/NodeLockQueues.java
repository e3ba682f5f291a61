package dev.gpushare.scheduler.lock;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The in-process side of the node lock: per node, a first-come-first-served turnstile for the binds that want
 * its lock, and a change signal raised by the informers when the lock annotation changes or its owner pod goes
 * away. Binds to different nodes never touch each other's queue.
 */
public final class NodeLockQueues {

    private final ConcurrentHashMap<String, Queue> queues = new ConcurrentHashMap<>();

    Queue of(String node) {
        return queues.computeIfAbsent(node, n -> new Queue());
    }

    /** Wakes the bind waiting at the head of {@code node}'s queue: the lock (or its owner) may have changed. */
    public void signal(String node) {
        Queue queue = queues.get(node);
        if (queue != null) {
            queue.signal();
        }
    }

    /** Wakes every waiting bind, e.g. when the leadership ends: each looks whether it may still go on. */
    public void wakeAll() {
        queues.values().forEach(Queue::signal);
    }

    /** Binds waiting for a node lock, or for their turn at it, on all nodes. */
    public int waiting() {
        return queues.values().stream().mapToInt(q -> q.inside.get()).sum();
    }

    /** Drops the queue of a deleted node (a bind still inside keeps its reference and fails on its own). */
    public void forget(String node) {
        Queue queue = queues.remove(node);
        if (queue != null) {
            queue.signal();
        }
    }

    static final class Queue {

        /** Fair: the timed tryAcquire of a fair semaphore hands the permit out in arrival order. */
        private final Semaphore turnstile = new Semaphore(1, true);
        private final ReentrantLock mutex = new ReentrantLock();
        private final Condition changed = mutex.newCondition();
        private long version;
        /** Binds in {@link NodeLockService#acquire} for this node, in turn or waiting for it. */
        final java.util.concurrent.atomic.AtomicInteger inside = new java.util.concurrent.atomic.AtomicInteger();

        boolean enter(Duration timeout) throws InterruptedException {
            return turnstile.tryAcquire(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
        }

        void leave() {
            turnstile.release();
        }

        /** Read before looking at the lock, then pass to {@link #awaitChange}: no signal in between is lost. */
        long version() {
            mutex.lock();
            try {
                return version;
            } finally {
                mutex.unlock();
            }
        }

        /** Waits until a signal newer than {@code seen}, or {@code timeout}; returns whether one came. */
        boolean awaitChange(long seen, Duration timeout) throws InterruptedException {
            long nanos = timeout.toNanos();
            mutex.lock();
            try {
                while (version == seen) {
                    if (nanos <= 0) {
                        return false;
                    }
                    nanos = changed.awaitNanos(nanos);
                }
                return true;
            } finally {
                mutex.unlock();
            }
        }

        void signal() {
            mutex.lock();
            try {
                version++;
                changed.signalAll();
            } finally {
                mutex.unlock();
            }
        }
    }
}
