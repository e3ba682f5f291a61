package dev.gpushare.scheduler.state;

import dev.gpushare.scheduler.events.Events;
import dev.gpushare.scheduler.lock.NodeLockQueues;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Feeds {@link ClusterState} from fabric8 informers on nodes, pods and resource quotas (through
 * {@link InformerHandlers}, which also wake binds waiting for a node lock), rebuilds the state from the informer stores once they are
 * synced ({@link #rebuild()}, also the hook for a new leadership term), reconciles it with the stores periodically
 * and expires reservations of pods that were never bound.
 */
public final class ClusterInformers implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ClusterInformers.class);

    private final KubernetesClient client;
    private final ClusterState state;
    private final InformerHandlers handlers;
    private final Duration reconcileInterval;
    private final Duration expiryInterval;
    private final Counter repairs;

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
                            MeterRegistry meters) {
        this.client = client;
        this.state = state;
        this.handlers = new InformerHandlers(state, lockQueues, events);
        this.reconcileInterval = reconcileInterval;
        Duration quarter = reservationTimeout.dividedBy(4);
        this.expiryInterval = quarter.compareTo(Duration.ofSeconds(5)) < 0 ? quarter : Duration.ofSeconds(5);
        this.repairs = meters.counter("gpushare_ledger_repairs_total");
    }

    @Override
    public void start() {
        nodes = client.nodes().runnableInformer(0);
        nodes.addEventHandler(handlers.nodes());
        pods = client.pods().inAnyNamespace().runnableInformer(0);
        pods.addEventHandler(handlers.pods());
        quotas = client.resourceQuotas().inAnyNamespace().runnableInformer(0);
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
                        log.error("informers failed to start; the scheduler stays unready", error);
                        synced.completeExceptionally(error);
                        return;
                    }
                    Rebuilt rebuilt = rebuild();
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
     * Rebuilds the state from the informer stores (not from replayed events) and marks it synced. Called once the
     * informers have synced, and by leader election on every leadership gain (which logs it).
     */
    public Rebuilt rebuild() {
        ClusterState.Repairs result = rebuildFromStores(true);
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

    /** The node as the informer last saw it. */
    public Optional<Node> cachedNode(String name) {
        return Optional.ofNullable(nodes == null ? null : nodes.getStore().getByKey(name));
    }

    /** Compares the state with the stores and repairs drift; counts what it repaired. */
    void reconcile() {
        try {
            ClusterState.Repairs result = rebuildFromStores(false);
            if (result.total() > 0) {
                repairs.increment(result.total());
                log.warn("cluster state drift repaired nodes={} pods={} quotas={}", result.nodes(), result.pods(),
                        result.quotas());
            }
        } catch (RuntimeException e) {
            log.error("reconcile failed", e);
        }
    }

    private ClusterState.Repairs rebuildFromStores(boolean markSynced) {
        return state.rebuild(stores(), markSynced);
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
    public void stop() {
        running = false;
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
