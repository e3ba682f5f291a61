package dev.gpushare.scheduler.leader;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Turns what the {@link LeaseSource} sees into leadership terms of {@link Leadership}:
 * <ul>
 *   <li>gained: a new term; the ledger catches up with the API and is rebuilt from the informer stores, then the
 *       term is marked synced (unless it ended meanwhile) and, in {@code always} readiness, the pods relabelled;</li>
 *   <li>lost (another holder, released, or expired without renewal, judged on a timer since expiry produces no
 *       event): verbs are refused at once, then the reservations only we knew of are dropped;</li>
 *   <li>shutdown: verbs refused, writes in flight drained, then the lease given up (in {@code elect} mode).</li>
 * </ul>
 * Transitions run on one thread, in the order observed; ledger work on another, so a slow rebuild never delays
 * noticing a loss. It starts after and stops before the informers and the web server (the default, last, phase);
 * it may be stopped and started again (Spring's test contexts are paused that way), each start in a new term. One log line per transition and per rebuild; gauges {@code hami_leader} and
 * {@code hami_leader_term}.
 */
public final class LeadershipCoordinator implements SmartLifecycle {

    /**
     * @param catchUpTimeout  how long one attempt to let the informers catch up may take before it is retried
     * @param drain           how long a shutdown waits for verbs still writing before it gives the lease away
     * @param relabelInterval how often the leader re-checks the role labels ({@code always} readiness)
     */
    public record Settings(Duration catchUpTimeout, Duration drain, Duration relabelInterval) {
    }

    private static final Logger log = LoggerFactory.getLogger(LeadershipCoordinator.class);
    private static final Duration RETRY = Duration.ofSeconds(1);

    private final Leadership leadership;
    private final LeaseSource source;
    private final LeaderLedger ledger;
    /** {@code null} unless {@code hami.readiness.mode=always} and the own pod is known. */
    private final RoleLabeler labeler;
    private final Clock clock;
    private final Settings settings;

    /** {@code null}: timers on the transitions thread's own scheduler, made at each start. */
    private final Timers injectedTimers;

    private ScheduledExecutorService transitions;
    private ScheduledExecutorService ledgerWork;
    private Timers timers;
    /** The last status seen; touched on the transitions thread only. */
    private LeaseStatus last = LeaseStatus.notOurs("");
    private Timers.Scheduled expiryCheck;
    private volatile boolean running;

    public LeadershipCoordinator(Leadership leadership, LeaseSource source, LeaderLedger ledger, RoleLabeler labeler,
                                 Clock clock, Settings settings, MeterRegistry meters) {
        this(leadership, source, ledger, labeler, clock, null, settings, meters);
    }

    /**
     * @param clock  what "now" is when a lease's expiry is judged
     * @param timers when delayed work (expiry checks, retries) runs, measured on {@code clock}; {@code null} for a
     *               real scheduler
     */
    public LeadershipCoordinator(Leadership leadership, LeaseSource source, LeaderLedger ledger, RoleLabeler labeler,
                                 Clock clock, Timers timers, Settings settings, MeterRegistry meters) {
        this.injectedTimers = timers;
        this.leadership = leadership;
        this.source = source;
        this.ledger = ledger;
        this.labeler = labeler;
        this.clock = clock;
        this.settings = settings;
        Gauge.builder("hami_leader", leadership, l -> l.status().leader() ? 1 : 0)
                .description("1 while this replica holds the scheduler leadership, else 0").register(meters);
        Gauge.builder("hami_leader_term", leadership, l -> l.status().term())
                .description("the current (or last) leadership term of this replica, counting from 1 per process")
                .register(meters);
    }

    @Override
    public void start() {
        transitions = singleThread("leadership");
        ledgerWork = singleThread("leadership-ledger");
        timers = injectedTimers != null ? injectedTimers : Timers.on(transitions);
        last = LeaseStatus.notOurs("");
        leadership.open();
        running = true;
        log.info("leader election: identity={} {}", leadership.identity(), source.describe());
        if (labeler != null) {
            long every = settings.relabelInterval().toMillis();
            transitions.scheduleWithFixedDelay(() -> submit(this::relabel), every, every, TimeUnit.MILLISECONDS);
        }
        source.start(status -> {
            try {
                transitions.execute(() -> apply(status));
            } catch (RejectedExecutionException e) {
                // Stopping: what the lease does now no longer matters.
            }
        });
    }

    private void apply(LeaseStatus status) {
        last = status;
        evaluate();
    }

    /** Compares what the lease says now with what {@link Leadership} believes, and moves it. */
    private void evaluate() {
        Instant now = clock.instant();
        boolean leads = last.leadsAt(now);
        Leadership.Status status = leadership.status();
        if (leads && !status.leader()) {
            long term = leadership.begin(last.holder());
            log.info("leadership gained term={} identity={} holder={} ({})", term, leadership.identity(),
                    last.holder(), source.describe());
            submit(() -> sync(term));
        } else if (!leads && status.leader()) {
            leadership.end(last.holder());
            log.info("leadership lost term={} identity={} holder={} reason={}", status.term(), leadership.identity(),
                    last.holder().isEmpty() ? "-" : last.holder(), lossReason(last));
            submit(this::relinquish);
        } else {
            leadership.observe(last.holder());
        }
        if (expiryCheck != null) {
            expiryCheck.cancel();
            expiryCheck = null;
        }
        if (leads && !Instant.MAX.equals(last.until())) {
            Duration delay = Duration.between(now, last.until()).plusMillis(1);
            expiryCheck = timers.schedule(() -> onTransitions(this::evaluate), delay);
        }
    }

    private static String lossReason(LeaseStatus status) {
        if (status.until() != null) {
            return "not renewed, expired at " + status.until();
        }
        return status.holder().isEmpty() ? "released or deleted" : "held by another replica";
    }

    /** Rebuilds the ledger for {@code term} and marks the term synced, unless it is over by then. */
    private void sync(long term) {
        if (!leadership.isCurrent(term)) {
            return;
        }
        try {
            long started = System.nanoTime();
            if (!ledger.catchUp(term, settings.catchUpTimeout())) {
                log.warn("leadership term={}: informers did not catch up with the API within {}ms; retrying", term,
                        settings.catchUpTimeout().toMillis());
                retry(term);
                return;
            }
            if (!leadership.isCurrent(term)) {
                return;
            }
            LeaderLedger.Rebuilt rebuilt = ledger.rebuild();
            long tookMs = (System.nanoTime() - started) / 1_000_000;
            if (leadership.markSynced(term)) {
                log.info("leadership term={} synced: ledger rebuilt from informer stores tookMs={} nodes={} pods={}"
                        + " entries={} repairs={}", term, tookMs, rebuilt.nodes(), rebuilt.pods(), rebuilt.entries(),
                        rebuilt.repairs());
                relabel();
            } else {
                log.info("leadership term={} ended before its rebuild finished (tookMs={}); rebuild discarded", term,
                        tookMs);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("leadership term={}: rebuild failed; retrying", term, e);
            retry(term);
        }
    }

    private void retry(long term) {
        try {
            timers.schedule(() -> submit(() -> sync(term)), RETRY);
        } catch (RejectedExecutionException e) {
            // Stopping.
        }
    }

    private void onTransitions(Runnable work) {
        try {
            transitions.execute(work);
        } catch (RejectedExecutionException e) {
            // Stopping.
        }
    }

    private void relinquish() {
        int dropped = ledger.relinquish();
        if (dropped > 0) {
            log.info("reservations dropped count={} (leadership lost; the next leader reads them from the pods'"
                    + " annotations)", dropped);
        }
        if (labeler != null && !leadership.status().leader()) {
            labeler.follow();
        }
    }

    private void relabel() {
        if (labeler != null && leadership.status().synced()) {
            labeler.lead();
        }
    }

    private void submit(Runnable work) {
        try {
            ledgerWork.execute(() -> {
                try {
                    work.run();
                } catch (RuntimeException e) {
                    log.error("leadership work failed", e);
                }
            });
        } catch (RejectedExecutionException e) {
            // Stopping.
        }
    }

    @Override
    public void stop() {
        running = false;
        Leadership.Status status = leadership.status();
        try {
            int open = leadership.close(settings.drain());
            if (open > 0) {
                log.warn("{} verbs still writing after {}ms; giving up the leadership anyway", open,
                        settings.drain().toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        transitions.shutdownNow();
        ledgerWork.shutdownNow();
        source.close();
        if (status.leader()) {
            log.info("leadership given up term={} identity={} reason=stopped", status.term(), leadership.identity());
            if (labeler != null) {
                labeler.follow();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private static ScheduledExecutorService singleThread(String name) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, name);
            thread.setDaemon(true);
            return thread;
        });
    }
}
