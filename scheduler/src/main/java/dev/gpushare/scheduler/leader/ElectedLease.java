package dev.gpushare.scheduler.leader;

import dev.gpushare.scheduler.health.ApiReachability;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaderElectionRecord;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.Lock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code hami.leader-election.mode=elect}: our own election with fabric8's {@link LeaderElector} on a Lease, given up
 * on {@link #close()} ({@code releaseOnCancel}) so a rolling update hands over at once.
 *
 * <p>Leadership is reported from the lock itself: each successful write of the lease by us means we lead until
 * {@code renewDeadline} from now, and every read showing another holder means we do not. So leadership lapses on
 * time even when the elector's thread hangs in a slow API call, before any other replica can take the lease (it
 * waits the whole lease duration, which is longer).
 *
 * <p>An elector that lost the lease is finished; a new one is started to compete again.
 */
public final class ElectedLease implements LeaseSource {

    private static final Logger log = LoggerFactory.getLogger(ElectedLease.class);
    private static final String PART = "leader election";

    /** Timings of the election (kube-scheduler's defaults are 15 s, 10 s and 2 s; checked by HamiProperties). */
    public record Timing(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {
    }

    private final KubernetesClient client;
    private final String namespace;
    private final String name;
    private final String holderIdentity;
    private final Timing timing;
    private final ApiReachability reachability;
    private Consumer<LeaseStatus> listener;
    private CompletableFuture<?> running;
    private boolean closed;
    /** Counts starts: a retry scheduled before a stop must not run in the next start. */
    private long generation;

    /**
     * @param identity this replica's name; the lease names it as {@code <identity>_<uuid of this process>}, as
     *                 kube-scheduler does, so two processes never share a holder identity
     */
    public ElectedLease(KubernetesClient client, String namespace, String name, String identity, Timing timing,
                        ApiReachability reachability) {
        this.reachability = reachability;
        this.client = client;
        this.namespace = namespace;
        this.name = name;
        this.holderIdentity = identity + "_" + UUID.randomUUID();
        this.timing = timing;
    }

    public String holderIdentity() {
        return holderIdentity;
    }

    @Override
    public synchronized void start(Consumer<LeaseStatus> listener) {
        this.listener = listener;
        closed = false;
        campaign(++generation);
    }

    /** Runs one elector until it loses the lease (or is cancelled), then the next. */
    private synchronized void campaign(long started) {
        if (closed || started != generation) {
            return;
        }
        LeaderElector elector = client.leaderElector().withConfig(new LeaderElectionConfigBuilder()
                .withName("hami-scheduler")
                .withLock(new ObservedLock(new LeaseLock(namespace, name, holderIdentity)))
                .withLeaseDuration(timing.leaseDuration())
                .withRenewDeadline(timing.renewDeadline())
                .withRetryPeriod(timing.retryPeriod())
                .withReleaseOnCancel()
                .withLeaderCallbacks(new LeaderCallbacks(() -> { }, () -> listener.accept(LeaseStatus.notOurs("")),
                        holder -> { }))
                .build()).build();
        CompletableFuture<?> elected = elector.start();
        running = elected;
        elected.whenComplete((ok, error) -> {
            if (error != null && !elected.isCancelled()) {
                log.warn("leader election on {} failed; competing again", describe(), error);
            }
            CompletableFuture.delayedExecutor(timing.retryPeriod().toMillis(), TimeUnit.MILLISECONDS)
                    .execute(() -> campaign(started));
        });
    }

    @Override
    public void close() {
        CompletableFuture<?> elected;
        synchronized (this) {
            closed = true;
            elected = running;
        }
        if (elected != null) {
            // The elector releases the lease (releaseOnCancel) in this thread.
            elected.cancel(true);
        }
    }

    @Override
    public String describe() {
        return "lease " + namespace + "/" + name;
    }

    /** The lease lock, reporting every read and every successful write of ours to the listener. */
    private final class ObservedLock implements Lock {

        private final Lock delegate;

        ObservedLock(Lock delegate) {
            this.delegate = delegate;
        }

        /**
         * Every call of the elector reaches the API: a failure or a success here is what the election sees of it
         * (fabric8 retries each retry period and logs a warning per retry, which application.yaml turns down).
         */
        private <T> T reported(java.util.function.Supplier<T> call) {
            try {
                T result = call.get();
                reachability.recovered(PART);
                return result;
            } catch (KubernetesClientException e) {
                if (e.getCode() == 0 || e.getCode() >= 500) {
                    reachability.failed(PART, e);
                }
                throw e;
            }
        }

        @Override
        public LeaderElectionRecord get(KubernetesClient kubernetesClient) {
            LeaderElectionRecord record = reported(() -> delegate.get(kubernetesClient));
            if (record != null && !holderIdentity.equals(record.getHolderIdentity())) {
                listener.accept(LeaseStatus.notOurs(record.getHolderIdentity()));
            }
            return record;
        }

        @Override
        public void create(KubernetesClient kubernetesClient, LeaderElectionRecord record) {
            reported(() -> {
                delegate.create(kubernetesClient, record);
                return null;
            });
            written(record);
        }

        @Override
        public void update(KubernetesClient kubernetesClient, LeaderElectionRecord record) {
            reported(() -> {
                delegate.update(kubernetesClient, record);
                return null;
            });
            written(record);
        }

        /**
         * After a successful write. The deadline counts from the record's renew time, which the elector took from
         * this process's clock before sending the write, so it never ends later than the elector's own deadline.
         */
        private void written(LeaderElectionRecord record) {
            if (holderIdentity.equals(record.getHolderIdentity())) {
                listener.accept(LeaseStatus.ours(holderIdentity,
                        record.getRenewTime().toInstant().plus(timing.renewDeadline())));
            } else {
                listener.accept(LeaseStatus.notOurs(record.getHolderIdentity()));
            }
        }

        @Override
        public String identity() {
            return delegate.identity();
        }

        @Override
        public String describe() {
            return delegate.describe();
        }
    }
}
