package dev.gpushare.scheduler.leader;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Whether this replica may place pods: it leads, and the ledger was rebuilt for the current leadership term. Each
 * gain of the leadership starts a new term (ids count up from 1 in this process); a rebuild marks only its own term
 * synced, so a rebuild that finishes after the term it was started for has ended (lost, and maybe regained) is
 * discarded. The verbs ask here before they work ({@link #awaitServing}, {@link #admitIfLeader}) and hold a
 * {@link TermPermit} while they write.
 *
 * <p>The {@link LeadershipCoordinator} drives the transitions; everything here is thread-safe.
 */
public final class Leadership {

    /** What a probe, a metric or a log line shows. */
    public record Status(boolean leader, long term, boolean synced, String holder) {
    }

    private final String identity;
    private final String lease;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** The current term while leading, else the last one; 0 before the first. */
    private long term;
    private boolean leader;
    private long syncedTerm;
    private String holder = "";
    private boolean closed;
    private int permits;
    /** Run when this replica stops leading (lost or shut down), after the change, outside the lock. */
    private final java.util.List<Runnable> endListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * @param identity who we are, for messages (the pod name)
     * @param lease    what the leadership is held on, for messages ({@code lease kube-system/hami-scheduler})
     */
    public Leadership(String identity, String lease) {
        this.identity = identity;
        this.lease = lease;
    }

    public String identity() {
        return identity;
    }

    public Status status() {
        lock.lock();
        try {
            return new Status(leader, term, serving(), holder);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether {@code term} is still served: this replica leads in it with a synced ledger and is not shutting down.
     * A verb that waits (a bind waiting for a node lock) asks again after each wake-up.
     */
    public boolean serves(long term) {
        lock.lock();
        try {
            return serving() && this.term == term;
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@code listener} runs each time this replica stops leading, lost or shut down, once verbs are refused: waits
     * that only a new state can end (binds waiting for a node lock) are woken with it.
     */
    public void onEnd(Runnable listener) {
        endListeners.add(listener);
    }

    private void fireEnd() {
        endListeners.forEach(Runnable::run);
    }

    /** Why this replica does not serve the verbs now (the text a verb would answer), or empty when it does. */
    public Optional<String> whyNotServing() {
        lock.lock();
        try {
            return serving() ? Optional.empty() : Optional.of(refusal(Duration.ZERO).reason());
        } finally {
            lock.unlock();
        }
    }

    /** For {@code /filter}: waits up to {@code wait} for this replica to lead with a synced ledger. */
    public Admission awaitServing(Duration wait) throws InterruptedException {
        long nanos = wait.toNanos();
        lock.lock();
        try {
            while (!serving() && !closed && nanos > 0) {
                nanos = changed.awaitNanos(nanos);
            }
            return serving() ? new Admission.Serving(term) : refusal(wait);
        } finally {
            lock.unlock();
        }
    }

    /**
     * For {@code /bind}: refuses at once when this replica does not lead (the pod was filtered elsewhere, or before a
     * failover); while it leads but is still rebuilding, waits up to {@code wait}.
     */
    public Admission admitIfLeader(Duration wait) throws InterruptedException {
        long nanos = wait.toNanos();
        lock.lock();
        try {
            while (leader && !serving() && !closed && nanos > 0) {
                nanos = changed.awaitNanos(nanos);
            }
            return serving() ? new Admission.Serving(term) : refusal(leader ? wait : Duration.ZERO);
        } finally {
            lock.unlock();
        }
    }

    /**
     * A permit to write for {@code term}: held only while that term is still being served. Close it when the writes
     * are done.
     */
    public TermPermit enter(long term) {
        lock.lock();
        try {
            boolean held = serving() && this.term == term;
            if (held) {
                permits++;
            }
            return new TermPermit(this, held);
        } finally {
            lock.unlock();
        }
    }

    void leave() {
        lock.lock();
        try {
            permits--;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // ---- transitions (LeadershipCoordinator) ------------------------------------------------------------------

    /** This replica now leads: starts a new, not yet synced term and returns its id. */
    long begin(String holder) {
        lock.lock();
        try {
            term++;
            leader = true;
            this.holder = holder;
            changed.signalAll();
            return term;
        } finally {
            lock.unlock();
        }
    }

    /** This replica no longer leads; verbs are refused from now on. */
    void end(String holder) {
        lock.lock();
        try {
            leader = false;
            this.holder = holder;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        fireEnd();
    }

    /** Who holds the lease now, for messages, while leading or not. */
    void observe(String holder) {
        lock.lock();
        try {
            this.holder = holder;
        } finally {
            lock.unlock();
        }
    }

    /** The rebuild for {@code term} is done; returns false (and changes nothing) when that term is over. */
    boolean markSynced(long term) {
        lock.lock();
        try {
            if (!isCurrent(term)) {
                return false;
            }
            syncedTerm = term;
            changed.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Whether {@code term} is the term this replica leads in right now. */
    boolean isCurrent(long term) {
        lock.lock();
        try {
            return leader && !closed && this.term == term;
        } finally {
            lock.unlock();
        }
    }

    /** (Re)start: verbs are admitted again once a term is gained and synced. */
    void open() {
        lock.lock();
        try {
            closed = false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Shutdown: refuses every verb from now on, then waits up to {@code drain} for the open permits; returns how many
     * are still open.
     */
    int close(Duration drain) throws InterruptedException {
        long nanos = drain.toNanos();
        lock.lock();
        try {
            closed = true;
            leader = false;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        fireEnd();
        lock.lock();
        try {
            while (permits > 0 && nanos > 0) {
                nanos = changed.awaitNanos(nanos);
            }
            return permits;
        } finally {
            lock.unlock();
        }
    }

    // ---- internals (lock held) --------------------------------------------------------------------------------

    private boolean serving() {
        return leader && !closed && syncedTerm == term;
    }

    private Admission.Refused refusal(Duration waited) {
        String after = waited.isZero() ? "" : " (waited " + waited.toMillis() + "ms)";
        if (closed) {
            return new Admission.Refused("not the leader: this replica (" + identity + ") is shutting down");
        }
        if (leader) {
            return new Admission.Refused("not ready: leadership term " + term + " of " + identity
                    + " is still rebuilding the cluster state" + after);
        }
        return new Admission.Refused("not the leader: this replica (" + identity + ") does not hold " + lease
                + (holder.isEmpty() ? ", nobody does" : ", " + holder + " does") + after);
    }
}
