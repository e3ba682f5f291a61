package dev.gpushare.bench.load;

import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The part of kube-scheduler's scheduling queue (v1.19 {@code PriorityQueue}, all pods of one priority) that decides
 * how often an extender is asked: an active queue in arrival order, a backoff queue for pods whose attempt failed
 * (initial backoff doubling per attempt up to the maximum: kube-scheduler's defaults are 1 s and 10 s), and the
 * rule that an update of a pod which is in neither queue puts it back into the active queue with a new timestamp.
 * The unschedulable queue (pods parked until a cluster event or 60 s) is not modelled: a failed pod is always
 * retried after its backoff. Thread-safe.
 */
final class SchedulingQueue {

    private record Entry(Pod pod, long sequence, long readyAtNanos) {
    }

    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final LongSupplier nanoTime;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final PriorityQueue<Entry> active = new PriorityQueue<>(Comparator.comparingLong(Entry::sequence));
    private final PriorityQueue<Entry> backoff = new PriorityQueue<>(Comparator.comparingLong(Entry::readyAtNanos));
    /** Where each queued pod is, by UID: the entry in {@link #active} or {@link #backoff}. */
    private final Map<String, Entry> queued = new HashMap<>();
    /** Failed attempts per UID, for the backoff; cleared when the pod leaves the scheduler's view. */
    private final Map<String, Integer> attempts = new HashMap<>();
    private long sequence;
    private boolean closed;

    SchedulingQueue(Duration initialBackoff, Duration maxBackoff, LongSupplier nanoTime) {
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
        this.nanoTime = nanoTime;
    }

    /** A new pod: to the back of the active queue (kept where it is if already queued). */
    public void add(Pod pod) {
        lock.lock();
        try {
            if (!queued.containsKey(uid(pod))) {
                enqueueActive(pod);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * An update the scheduler did not skip: a queued pod is replaced in place; a pod in no queue (for instance one
     * that is being scheduled or bound right now) goes to the back of the active queue, as in kube-scheduler.
     */
    public void update(Pod pod) {
        lock.lock();
        try {
            Entry entry = queued.get(uid(pod));
            if (entry == null) {
                enqueueActive(pod);
                return;
            }
            Entry replaced = new Entry(pod, entry.sequence(), entry.readyAtNanos());
            (active.remove(entry) ? active : backoff).add(replaced);
            queued.put(uid(pod), replaced);
        } finally {
            lock.unlock();
        }
    }

    /** The attempt failed: back after the pod's backoff, which doubles with every failed attempt. */
    public void backoff(Pod pod) {
        lock.lock();
        try {
            String uid = uid(pod);
            int failed = attempts.merge(uid, 1, Integer::sum);
            Entry existing = queued.remove(uid);
            if (existing != null) {
                active.remove(existing);
                backoff.remove(existing);
            }
            Entry entry = new Entry(pod, ++sequence, nanoTime.getAsLong() + backoffFor(failed).toNanos());
            backoff.add(entry);
            queued.put(uid, entry);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The pod was bound or deleted: out of every queue, its attempts forgotten. */
    public void delete(Pod pod) {
        lock.lock();
        try {
            String uid = uid(pod);
            attempts.remove(uid);
            Entry entry = queued.remove(uid);
            if (entry != null) {
                active.remove(entry);
                backoff.remove(entry);
            }
        } finally {
            lock.unlock();
        }
    }

    /** kube-scheduler's backoff after {@code failedAttempts} failures: initial × 2^(n-1), at most the maximum. */
    public Duration backoffFor(int failedAttempts) {
        Duration backoff = initialBackoff;
        for (int i = 1; i < failedAttempts && backoff.compareTo(maxBackoff) < 0; i++) {
            backoff = backoff.multipliedBy(2);
        }
        return backoff.compareTo(maxBackoff) > 0 ? maxBackoff : backoff;
    }

    /** The next pod to schedule, waiting up to {@code timeout}; empty on timeout or after {@link #close}. */
    public Optional<Pod> pop(Duration timeout) throws InterruptedException {
        long deadline = nanoTime.getAsLong() + timeout.toNanos();
        lock.lock();
        try {
            while (!closed) {
                long now = nanoTime.getAsLong();
                flushBackoff(now);
                Entry next = active.poll();
                if (next != null) {
                    queued.remove(uid(next.pod()));
                    return Optional.of(next.pod());
                }
                long wait = deadline - now;
                if (!backoff.isEmpty()) {
                    wait = Math.min(wait, backoff.peek().readyAtNanos() - now);
                }
                if (deadline - now <= 0) {
                    return Optional.empty();
                }
                changed.awaitNanos(Math.max(wait, TimeUnit.MICROSECONDS.toNanos(100)));
            }
            return Optional.empty();
        } finally {
            lock.unlock();
        }
    }

    /** How many pods wait in either queue. */
    public int size() {
        lock.lock();
        try {
            return queued.size();
        } finally {
            lock.unlock();
        }
    }

    /** Wakes and ends every {@link #pop}. */
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void flushBackoff(long now) {
        while (!backoff.isEmpty() && backoff.peek().readyAtNanos() - now <= 0) {
            Entry due = backoff.poll();
            Entry entry = new Entry(due.pod(), ++sequence, 0);
            active.add(entry);
            queued.put(uid(due.pod()), entry);
        }
    }

    private void enqueueActive(Pod pod) {
        Entry entry = new Entry(pod, ++sequence, 0);
        active.add(entry);
        queued.put(uid(pod), entry);
        changed.signalAll();
    }

    private static String uid(Pod pod) {
        return pod.getMetadata().getUid();
    }
}
