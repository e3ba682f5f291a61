package dev.gpushare.scheduler.embedded;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * kube-scheduler's scheduling queue for pods waiting for a node: an active queue (FIFO), a back-off queue and the
 * unschedulable pods.
 * <ul>
 *   <li>A pod that did not fit waits among the unschedulable pods until something in the cluster changes
 *       ({@link #clusterChanged()}: a pod deleted, a node added or changed) or it has waited
 *       {@code maxUnschedulable}; then it goes back to the active queue, through the back-off queue while its
 *       back-off lasts.</li>
 *   <li>Back-off after the n-th failed attempt: {@code initial x 2^(n-1)}, at most {@code max} (1 s to 10 s by
 *       default, as kube-scheduler).</li>
 *   <li>A pod that failed with an error (not a misfit), or that did not fit while the cluster changed during its
 *       attempt, goes to the back-off queue directly.</li>
 * </ul>
 * Time comes from the injected clock; {@link #poll()} never blocks, {@link #take(Duration)} waits for the next pod.
 *
 * @param <K> what identifies a pod (its UID)
 */
public final class SchedulingQueue<K> {

    private enum Place { ACTIVE, BACKOFF, UNSCHEDULABLE, IN_FLIGHT }

    private static final class Entry {
        Place place;
        int attempts;
        Instant backoffUntil = Instant.MIN;
        Instant unschedulableSince = Instant.MIN;
        long cycle;
    }

    private final Clock clock;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Duration maxUnschedulable;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<K, Entry> entries = new LinkedHashMap<>();
    private final Deque<K> active = new ArrayDeque<>();
    private long schedulingCycle;
    private long moveRequestCycle = -1;

    public SchedulingQueue(Clock clock, Duration initialBackoff, Duration maxBackoff, Duration maxUnschedulable) {
        this.clock = clock;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
        this.maxUnschedulable = maxUnschedulable;
    }

    /** A pod that waits for a node; a pod already known keeps its place. */
    public void add(K pod) {
        lock.lock();
        try {
            if (!entries.containsKey(pod)) {
                Entry entry = new Entry();
                entry.place = Place.ACTIVE;
                entries.put(pod, entry);
                active.addLast(pod);
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** The pod's spec or labels changed: an unschedulable pod gets another attempt (after its back-off). */
    public void updated(K pod) {
        lock.lock();
        try {
            Entry entry = entries.get(pod);
            if (entry != null && entry.place == Place.UNSCHEDULABLE) {
                requeue(pod, entry, clock.instant());
            }
        } finally {
            lock.unlock();
        }
    }

    /** The pod is gone or bound: forget it. */
    public void remove(K pod) {
        lock.lock();
        try {
            if (entries.remove(pod) != null) {
                active.remove(pod);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Something that may let unschedulable pods fit happened: they all get another attempt. */
    public void clusterChanged() {
        lock.lock();
        try {
            moveRequestCycle = schedulingCycle;
            Instant now = clock.instant();
            entries.forEach((pod, entry) -> {
                if (entry.place == Place.UNSCHEDULABLE) {
                    requeue(pod, entry, now);
                }
            });
        } finally {
            lock.unlock();
        }
    }

    /** The attempt found no node for the pod. */
    public void unschedulable(K pod) {
        failed(pod, false);
    }

    /** The attempt failed with an error (the extender answered one, the bind failed): back off and retry. */
    public void error(K pod) {
        failed(pod, true);
    }

    private void failed(K pod, boolean error) {
        lock.lock();
        try {
            Entry entry = entries.get(pod);
            if (entry == null || entry.place != Place.IN_FLIGHT) {
                return;
            }
            Instant now = clock.instant();
            entry.attempts++;
            entry.backoffUntil = now.plus(backoff(entry.attempts));
            if (error || moveRequestCycle >= entry.cycle) {
                entry.place = Place.BACKOFF;
            } else {
                entry.place = Place.UNSCHEDULABLE;
                entry.unschedulableSince = now;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    Duration backoff(int attempts) {
        Duration backoff = initialBackoff;
        for (int i = 1; i < attempts && backoff.compareTo(maxBackoff) < 0; i++) {
            backoff = backoff.multipliedBy(2);
        }
        return backoff.compareTo(maxBackoff) > 0 ? maxBackoff : backoff;
    }

    /** The next pod to schedule, if one is due now; it is in flight until it fails again or is removed. */
    public Optional<K> poll() {
        lock.lock();
        try {
            flush(clock.instant());
            K next = active.pollFirst();
            if (next == null) {
                return Optional.empty();
            }
            Entry entry = entries.get(next);
            entry.place = Place.IN_FLIGHT;
            entry.cycle = ++schedulingCycle;
            return Optional.of(next);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits up to {@code wait} for a pod to be due. The wait is cut at the next back-off expiry (and woken by every
     * change), so the clock decides when a pod is due.
     */
    public Optional<K> take(Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            Optional<K> next = poll();
            long left = deadline - System.nanoTime();
            if (next.isPresent() || left <= 0) {
                return next;
            }
            lock.lock();
            try {
                long until = Math.min(left, nanosToNextDue(clock.instant()));
                if (active.isEmpty() && until > 0) {
                    changed.await(until, TimeUnit.NANOSECONDS);
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /** How many pods wait, in flight excluded. */
    public int waiting() {
        lock.lock();
        try {
            return (int) entries.values().stream().filter(e -> e.place != Place.IN_FLIGHT).count();
        } finally {
            lock.unlock();
        }
    }

    private long nanosToNextDue(Instant now) {
        long next = Long.MAX_VALUE;
        for (Entry entry : entries.values()) {
            Instant due = switch (entry.place) {
                case BACKOFF -> entry.backoffUntil;
                case UNSCHEDULABLE -> entry.unschedulableSince.plus(maxUnschedulable);
                default -> null;
            };
            if (due != null) {
                next = Math.min(next, Math.max(0, Duration.between(now, due).toNanos()));
            }
        }
        return next;
    }

    /** Back-offs that are over go to the active queue; pods unschedulable for too long go back too. */
    private void flush(Instant now) {
        for (Iterator<Map.Entry<K, Entry>> it = entries.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<K, Entry> e = it.next();
            Entry entry = e.getValue();
            if (entry.place == Place.BACKOFF && !now.isBefore(entry.backoffUntil)) {
                entry.place = Place.ACTIVE;
                active.addLast(e.getKey());
            } else if (entry.place == Place.UNSCHEDULABLE
                    && !now.isBefore(entry.unschedulableSince.plus(maxUnschedulable))) {
                requeue(e.getKey(), entry, now);
                if (entry.place == Place.BACKOFF && !now.isBefore(entry.backoffUntil)) {
                    entry.place = Place.ACTIVE;
                    active.addLast(e.getKey());
                }
            }
        }
    }

    private void requeue(K pod, Entry entry, Instant now) {
        if (now.isBefore(entry.backoffUntil)) {
            entry.place = Place.BACKOFF;
        } else {
            entry.place = Place.ACTIVE;
            active.addLast(pod);
        }
        changed.signalAll();
    }
}
