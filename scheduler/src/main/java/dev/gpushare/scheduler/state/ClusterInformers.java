package dev.gpushare.scheduler.state;

import dev.gpushare.scheduler.events.Events;
import dev.gpushare.scheduler.health.InformerWatchdog;
import dev.gpushare.scheduler.lock.NodeLockQueues;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import dev.gpushare.scheduler.metrics.Latency;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Feeds {@link ClusterState} from fabric8 informers on nodes, pods and resource quotas, wakes binds waiting for a
 * node lock when the lock (or its owner pod) changes, rebuilds the state from the informer stores once they are
 * synced ({@link #rebuild()}, also the hook for a new leadership term), reconciles it with the stores periodically
 * and expires reservations of pods that were never bound.
 */
public final class ClusterInformers implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ClusterInformers.class);

    private final KubernetesClient client;
    private final ClusterState state;
    private final InformerHandlers handlers;
    private final InformerLag lag;
    private final Duration reconcileInterval;
    private final Duration expiryInterval;
    private final Counter nodeRepairs;
    private final Counter podRepairs;
    private final Counter quotaRepairs;
    private final Timer rebuildAtSync;
    private final Timer rebuildAtLeadership;
    private final Timer rebuildAtReconcile;
    private final Timer lockHeld;
    private final InformerWatchdog watchdog;

    private SharedIndexInformer<Node> nodes;
    private SharedIndexInformer<Pod> pods;
    private SharedIndexInformer<ResourceQuota> quotas;
    private ScheduledExecutorService timer;
    /** Replaced on each start: a restarted informer's store is empty until its new list arrives. */
    private volatile CompletableFuture<Void> storesSynced = new CompletableFuture<>();
    private volatile boolean running;

    /** What {@link #rebuild()} found in the stores and left in the ledger. */
    public record Rebuilt(int nodes, int pods, int entries, ClusterState.Repairs repairs) {
    }

    public ClusterInformers(KubernetesClient client, ClusterState state, NodeLockQueues lockQueues,
                            Events events, Duration reconcileInterval, Duration reservationTimeout,
                            MeterRegistry meters, InformerWatchdog watchdog) {
        this.watchdog = watchdog;
        this.client = client;
        this.state = state;
        this.lag = new InformerLag(meters);
        this.handlers = new InformerHandlers(state, lockQueues, events, lag, meters);
        this.reconcileInterval = reconcileInterval;
        Duration quarter = reservationTimeout.dividedBy(4);
        this.expiryInterval = quarter.compareTo(Duration.ofSeconds(5)) < 0 ? quarter : Duration.ofSeconds(5);
        this.nodeRepairs = repairs(meters, "nodes");
        this.podRepairs = repairs(meters, "pods");
        this.quotaRepairs = repairs(meters, "quotas");
        this.rebuildAtSync = rebuilds(meters, "sync");
        this.rebuildAtLeadership = rebuilds(meters, "leadership");
        this.rebuildAtReconcile = rebuilds(meters, "reconcile");
        this.lockHeld = Latency.timer(meters, "gpushare_ledger_rebuild_lock_held", "time a rebuild or reconcile held"
                + " the usage ledger's lock to apply its repairs (the comparison runs without it); the verbs wait at"
                + " most this long for one");
    }

    /** Times our own pod writes through the pod informer: the writer tells it what it wrote. */
    public InformerLag lag() {
        return lag;
    }

    @Override
    public synchronized void start() {
        nodes = retrying(client.nodes().runnableInformer(0), "nodes");
        nodes.addEventHandler(handlers.nodes());
        pods = retrying(client.pods().inAnyNamespace().runnableInformer(0), "pods");
        pods.addEventHandler(handlers.pods());
        quotas = retrying(client.resourceQuotas().inAnyNamespace().runnableInformer(0), "resourcequotas");
        quotas.addEventHandler(handlers.quotas());

        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "cluster-state-reconcile");
            thread.setDaemon(true);
            return thread;
        });
        running = true;
        CompletableFuture<Void> synced = storesSynced.isDone() ? new CompletableFuture<>() : storesSynced;
        storesSynced = synced;
        CompletableFuture.allOf(nodes.start().toCompletableFuture(), pods.start().toCompletableFuture(),
                quotas.start().toCompletableFuture()).whenComplete((ok, error) -> {
                    if (error != null) {
                        if (running) {
                            log.error("informers failed to start; the scheduler stays unready", error);
                        }
                        synced.completeExceptionally(error);
                        return;
                    }
                    Rebuilt rebuilt = rebuild(rebuildAtSync);
                    log.info("cluster state loaded from informer stores nodes={} pods={} entries={}",
                            rebuilt.nodes(), rebuilt.pods(), rebuilt.entries());
                    synced.complete(null);
                    timer.scheduleWithFixedDelay(this::reconcile, reconcileInterval.toMillis(),
                            reconcileInterval.toMillis(), TimeUnit.MILLISECONDS);
                    timer.scheduleWithFixedDelay(this::expire, expiryInterval.toMillis(), expiryInterval.toMillis(),
                            TimeUnit.MILLISECONDS);
                });
    }

    /**
     * Every failed list or watch is retried (see {@link InformerWatchdog}). After an outage the informers are
     * started afresh: a watch resumed from its last resource version (or one the server could not resume) may not
     * report what was deleted meanwhile, a full list does; the state is rebuilt from it as at start-up.
     */
    private <T extends HasMetadata> SharedIndexInformer<T> retrying(SharedIndexInformer<T> informer, String kind) {
        return watchdog.retrying(informer, "informer " + kind, this::relistAfterOutage);
    }

    private synchronized void relistAfterOutage() {
        if (running) {
            log.info("re-listing nodes, pods and resource quotas after the API outage");
            stop();
            start();
        }
    }

    /**
     * Rebuilds the state from the informer stores (not from replayed events) and marks it synced. Called once the
     * informers have synced, and by leader election on every leadership gain (which logs it).
     */
    public Rebuilt rebuild() {
        return rebuild(rebuildAtLeadership);
    }

    private Rebuilt rebuild(Timer timer) {
        ClusterState.Repairs result = timer.record(() -> rebuildFromStores(true));
        if (result.total() > 0) {
            log.debug("rebuild replaced incrementally kept state: {}", result);
        }
        return new Rebuilt(nodes.getStore().list().size(), pods.getStore().list().size(), state.entries().size(),
                result);
    }

    /** Completes once the informer stores hold their first full list and the state was rebuilt from them. */
    public CompletableFuture<Void> storesSynced() {
        return storesSynced;
    }

    /** The pod as the informer last saw it. */
    public Optional<Pod> cachedPod(String namespace, String name) {
        return Optional.ofNullable(pods == null ? null : pods.getStore().getByKey(namespace + "/" + name));
    }

    /** The pods of the informer cache, for readers that show them (the GPU page). */
    public Collection<Pod> cachedPods() {
        return pods == null ? List.of() : pods.getStore().list();
    }

    /** The nodes of the informer cache. */
    public Collection<Node> cachedNodes() {
        return nodes == null ? List.of() : nodes.getStore().list();
    }

    /** The node as the informer last saw it. */
    public Optional<Node> cachedNode(String name) {
        return Optional.ofNullable(nodes == null ? null : nodes.getStore().getByKey(name));
    }

    /** Compares the state with the stores and repairs drift; counts what it repaired. */
    void reconcile() {
        try {
            ClusterState.Repairs result = rebuildAtReconcile.record(() -> rebuildFromStores(false));
            if (result.total() > 0) {
                nodeRepairs.increment(result.nodes());
                podRepairs.increment(result.pods());
                quotaRepairs.increment(result.quotas());
                log.warn("cluster state drift repaired nodes={} pods={} quotas={}", result.nodes(), result.pods(),
                        result.quotas());
            }
        } catch (RuntimeException e) {
            log.error("reconcile failed", e);
        }
    }

    private static Counter repairs(MeterRegistry meters, String kind) {
        return Counter.builder("gpushare_ledger_repairs").tag("kind", kind)
                .description("differences between the usage ledger and the informer stores that a reconcile"
                        + " repaired (drift), by kind").register(meters);
    }

    private static Timer rebuilds(MeterRegistry meters, String trigger) {
        return Latency.timer(meters, "gpushare_ledger_rebuild_duration", "time to rebuild the usage ledger from the"
                + " informer stores, by trigger (informers synced, a new leadership term, the periodic reconcile)",
                "trigger", trigger);
    }

    private ClusterState.Repairs rebuildFromStores(boolean markSynced) {
        ClusterState.Repairs repairs = state.rebuild(stores(), markSynced);
        lockHeld.record(repairs.lockHeld());
        return repairs;
    }

    /** The informer stores, as the reconcile reads them: an object is current while its store holds that instance. */
    private InformerStores stores() {
        return new InformerStores() {
            @Override
            public Collection<Node> nodes() {
                return nodes.getStore().list();
            }

            @Override
            public Collection<Pod> pods() {
                return pods.getStore().list();
            }

            @Override
            public Collection<ResourceQuota> quotas() {
                return quotas.getStore().list();
            }

            @Override
            public boolean holds(HasMetadata object) {
                String key = Cache.metaNamespaceKeyFunc(object);
                Object current = object instanceof Node ? nodes.getStore().getByKey(key)
                        : object instanceof Pod ? pods.getStore().getByKey(key)
                        : quotas.getStore().getByKey(key);
                return current == object;
            }

            @Override
            public boolean lacksPod(String namespace, String name, String uid) {
                Pod pod = pods.getStore().getByKey(namespace + "/" + name);
                return pod == null || !uid.equals(pod.getMetadata().getUid());
            }

            @Override
            public boolean lacksNode(String name) {
                return nodes.getStore().getByKey(name) == null;
            }
        };
    }

    private void expire() {
        try {
            int expired = state.expireReservations();
            if (expired > 0) {
                log.info("reservations expired count={} (pods filtered but never bound)", expired);
            }
        } catch (RuntimeException e) {
            log.error("reservation expiry failed", e);
        }
    }

    @Override
    public synchronized void stop() {
        running = false;
        for (String kind : new String[] {"nodes", "pods", "resourcequotas"}) {
            watchdog.forget("informer " + kind);
        }
        if (timer != null) {
            timer.shutdownNow();
        }
        for (SharedIndexInformer<?> informer : new SharedIndexInformer<?>[] {nodes, pods, quotas}) {
            if (informer != null) {
                informer.close();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
