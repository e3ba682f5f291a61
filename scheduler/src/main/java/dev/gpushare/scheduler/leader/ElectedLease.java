package dev.gpushare.scheduler.leader;

import dev.gpushare.scheduler.health.ApiReachability;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseList;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code hami.leader-election.mode=elect}: our own election on a {@code coordination.k8s.io/v1} Lease, as client-go's
 * does it: every retry period one attempt reads the Lease, {@link #decide decides} on it by our clock, and writes it
 * (create, or update with the read {@code resourceVersion}, so of two concurrent writers one gets a 409). On
 * {@link #close()} a held Lease is released as client-go releases it (holder cleared, duration cut to 1 s), so the
 * other replica takes it at its next attempt.
 *
 * <p>Leadership is reported from the lock itself: each successful write of ours means we lead until its
 * {@code renewTime + renewDeadline}, and every read showing another holder means we do not. The listener judges
 * that deadline on its own timer, so leadership lapses on time even while an attempt hangs in a slow API call, before
 * any other replica can take the Lease (it waits until {@code renewTime + leaseDuration}, which is later). A replica
 * that lost the Lease keeps competing, so it leads again (in a new term) once it wins a write.
 *
 * <p>Time is {@code clock}'s and the attempts run on {@code timers} (fabric8's {@code LeaderElector} reads the system
 * clock and schedules on its own threads, so a test could not move it).
 */
public final class ElectedLease implements LeaseSource {

    private static final Logger log = LoggerFactory.getLogger(ElectedLease.class);
    private static final String PART = "leader election";

    /** Timings of the election (kube-scheduler's defaults are 15 s, 10 s and 2 s; checked by HamiProperties). */
    public record Timing(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {
    }

    /**
     * The Lease as the election reads it.
     *
     * @param holder  {@code holderIdentity}, empty when nobody holds it (released)
     * @param renewed {@code renewTime}; {@code null} if missing
     * @param lasts   {@code leaseDurationSeconds}; {@code null} if missing
     */
    record Held(String holder, Instant renewed, Duration lasts) {

        static Held of(Lease lease) {
            LeaseSpec spec = lease.getSpec() == null ? new LeaseSpec() : lease.getSpec();
            return new Held(spec.getHolderIdentity() == null ? "" : spec.getHolderIdentity(),
                    spec.getRenewTime() == null ? null : spec.getRenewTime().toInstant(),
                    spec.getLeaseDurationSeconds() == null ? null
                            : Duration.ofSeconds(spec.getLeaseDurationSeconds()));
        }

        /** When others may take it; a Lease without renewTime or duration is expired. */
        Instant expires() {
            return renewed == null || lasts == null ? Instant.MIN : renewed.plus(lasts);
        }
    }

    /** What one attempt does with the Lease it read. */
    sealed interface Decision {
        /** There is no Lease: create it, holding it. */
        record Create() implements Decision {
        }

        /** We hold it: renew. */
        record Renew() implements Decision {
        }

        /** Released ({@code from} empty) or expired by our clock: take it, one more transition. */
        record TakeOver(String from) implements Decision {
        }

        /** Another replica holds it until {@code expires}. */
        record Wait(String holder, Instant expires) implements Decision {
        }
    }

    /**
     * The election's rule, as client-go's: a Lease held by someone else is valid while {@code now} is before
     * {@code renewTime + leaseDuration}.
     *
     * @param lease what was read, {@code null} when there is no Lease
     */
    static Decision decide(Held lease, Instant now, String us) {
        if (lease == null) {
            return new Decision.Create();
        }
        if (lease.holder().equals(us)) {
            return new Decision.Renew();
        }
        if (lease.holder().isEmpty() || !now.isBefore(lease.expires())) {
            return new Decision.TakeOver(lease.holder());
        }
        return new Decision.Wait(lease.holder(), lease.expires());
    }

    private final KubernetesClient client;
    private final String namespace;
    private final String name;
    private final String holderIdentity;
    private final Timing timing;
    private final ApiReachability reachability;
    private final Clock clock;
    /** {@code null}: attempts run on a scheduler of our own, made at each start. */
    private final Timers injectedTimers;

    private Consumer<LeaseStatus> listener;
    private ScheduledExecutorService ownScheduler;
    private Timers timers;
    private Timers.Scheduled next;
    private boolean closed = true;
    /** Counts starts: an attempt scheduled before a stop must not run in the next start. */
    private long generation;
    /** The Lease as we last wrote it while holding it (its resourceVersion is the one a release must match). */
    private Lease written;
    /** The last decision logged, so that renewals and waits log one line, not one per attempt. */
    private String lastLogged = "";

    /**
     * @param identity this replica's name; the lease names it as {@code <identity>_<uuid of this process>}, as
     *                 kube-scheduler does, so two processes never share a holder identity
     * @param clock    the time the Lease is written with and judged by
     */
    public ElectedLease(KubernetesClient client, String namespace, String name, String identity, Timing timing,
                        ApiReachability reachability, Clock clock) {
        this(client, namespace, name, identity, timing, reachability, clock, null);
    }

    /**
     * @param timers when the attempts run, measured on {@code clock}; an attempt runs its API calls on the thread
     *               that fires it. {@code null} for a scheduler thread of our own
     */
    public ElectedLease(KubernetesClient client, String namespace, String name, String identity, Timing timing,
                        ApiReachability reachability, Clock clock, Timers timers) {
        this.client = client;
        this.namespace = namespace;
        this.name = name;
        this.holderIdentity = identity + "_" + UUID.randomUUID();
        this.timing = timing;
        this.reachability = reachability;
        this.clock = clock;
        this.injectedTimers = timers;
    }

    public String holderIdentity() {
        return holderIdentity;
    }

    @Override
    public synchronized void start(Consumer<LeaseStatus> listener) {
        this.listener = listener;
        closed = false;
        if (injectedTimers == null) {
            ownScheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread thread = new Thread(r, "leader-election");
                thread.setDaemon(true);
                return thread;
            });
            timers = Timers.on(ownScheduler);
        } else {
            timers = injectedTimers;
        }
        schedule(++generation, Duration.ZERO);
    }

    private void schedule(long started, Duration delay) {
        next = timers.schedule(() -> attempt(started), delay);
    }

    /** One read, decision and write of the Lease, then the next attempt one retry period later. */
    private synchronized void attempt(long started) {
        if (closed || started != generation) {
            return;
        }
        Instant now = clock.instant();
        try {
            Lease lease = leases().get();
            Decision decision = decide(lease == null ? null : Held.of(lease), now, holderIdentity);
            if (decision instanceof Decision.Create) {
                wrote(inNamespace().resource(held(new LeaseBuilder().withNewMetadata()
                        .withNamespace(namespace).withName(name).endMetadata().build(), now, now, 0)).create(), now);
                logOnce(describe() + " created, held by " + holderIdentity);
            } else if (decision instanceof Decision.Renew) {
                LeaseSpec spec = lease.getSpec();
                ZonedDateTime acquired = spec.getAcquireTime();
                wrote(inNamespace().resource(held(lease, acquired == null ? now : acquired.toInstant(), now,
                        transitions(spec))).update(), now);
                logOnce(describe() + " held by " + holderIdentity + ", renewing every "
                        + timing.retryPeriod().toMillis() + "ms");
            } else if (decision instanceof Decision.TakeOver takeOver) {
                wrote(inNamespace().resource(held(lease, now, now, transitions(lease.getSpec()) + 1))
                        .update(), now);
                logOnce(describe() + " taken over by " + holderIdentity + " from "
                        + (takeOver.from().isEmpty() ? "nobody (released)" : takeOver.from() + " (expired)"));
            } else if (decision instanceof Decision.Wait wait) {
                written = null;
                listener.accept(LeaseStatus.notOurs(wait.holder()));
                logOnce(describe() + " held by " + wait.holder() + "; waiting for it to be released or to expire");
            }
            reportReachability(null);
        } catch (KubernetesClientException e) {
            reportReachability(e);
            // A 409 means another writer won the race; the next read shows who. Other errors: reachability reports
            // outages; our leadership lapses at its deadline unless a later write succeeds.
            logOnce(describe() + ": attempt failed (HTTP " + e.getCode() + ": " + ApiReachability.describe(e)
                    + "); retrying every " + timing.retryPeriod().toMillis() + "ms");
        } catch (RuntimeException e) {
            logOnce(describe() + ": attempt failed (" + ApiReachability.describe(e) + "); retrying every "
                    + timing.retryPeriod().toMillis() + "ms");
        }
        schedule(started, timing.retryPeriod());
    }

    /** After a successful create or update that names us. */
    private void wrote(Lease lease, Instant renewed) {
        written = lease;
        listener.accept(LeaseStatus.ours(holderIdentity, renewed.plus(timing.renewDeadline())));
    }

    /** {@code lease} (with its resourceVersion) rewritten as held by us. */
    private Lease held(Lease lease, Instant acquired, Instant renewed, int transitions) {
        return new LeaseBuilder(lease).withNewSpec()
                .withHolderIdentity(holderIdentity)
                .withLeaseDurationSeconds((int) timing.leaseDuration().toSeconds())
                .withAcquireTime(utc(acquired))
                .withRenewTime(utc(renewed))
                .withLeaseTransitions(transitions)
                .endSpec().build();
    }

    private static int transitions(LeaseSpec spec) {
        return spec.getLeaseTransitions() == null ? 0 : spec.getLeaseTransitions();
    }

    private static ZonedDateTime utc(Instant instant) {
        return instant.atZone(ZoneOffset.UTC);
    }

    private Resource<Lease> leases() {
        return inNamespace().withName(name);
    }

    private NonNamespaceOperation<Lease, LeaseList, Resource<Lease>> inNamespace() {
        return client.leases().inNamespace(namespace);
    }

    /**
     * What an attempt saw of the API, once per attempt (a read that works and a write that fails would otherwise
     * report an outage and its end on every retry). A 409 or another 4xx is an answer: the API is reachable.
     */
    private void reportReachability(KubernetesClientException failure) {
        if (failure != null && (failure.getCode() == 0 || failure.getCode() >= 500)) {
            reachability.failed(PART, failure);
        } else {
            reachability.recovered(PART);
        }
    }

    private void logOnce(String line) {
        if (!line.equals(lastLogged)) {
            lastLogged = line;
            log.info(line);
        }
    }

    /**
     * Stops competing; a Lease we still hold is released as client-go releases it (holder cleared, duration 1 s,
     * renewed now), written with the resourceVersion of our last write so a Lease someone else took meanwhile is left
     * alone. Waits for an attempt in flight.
     */
    @Override
    public void close() {
        ScheduledExecutorService scheduler;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (next != null) {
                next.cancel();
            }
            release();
            scheduler = ownScheduler;
            ownScheduler = null;
        }
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    private void release() {
        Lease lease = written;
        written = null;
        if (lease == null) {
            return;
        }
        Instant now = clock.instant();
        try {
            inNamespace().resource(new LeaseBuilder(lease).editSpec().withHolderIdentity("")
                    .withLeaseDurationSeconds(1).withAcquireTime(utc(now)).withRenewTime(utc(now)).endSpec().build())
                    .update();
            log.info("{} released by {}", describe(), holderIdentity);
        } catch (RuntimeException e) {
            log.info("{} not released ({}); the others take it once it expires", describe(),
                    ApiReachability.describe(e));
        }
    }

    @Override
    public String describe() {
        return "lease " + namespace + "/" + name;
    }
}
