package dev.gpushare.scheduler.state;

import dev.gpushare.common.device.PodAllocation;
import dev.gpushare.common.seal.PlacementTrust;
import dev.gpushare.placement.AllocationFit;
import dev.gpushare.placement.FailureReason;
import dev.gpushare.placement.NamespaceQuota;
import dev.gpushare.placement.NodeRejection;
import dev.gpushare.placement.NodeSnapshot;
import dev.gpushare.placement.NodeSnapshotFactory;
import dev.gpushare.placement.PlacementResult;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What the scheduler knows of the cluster's GPUs, behind one lock: the {@link NodeRegistry} (devices per node, with
 * the placement snapshot of each), the {@link UsageLedger} (who holds which GPUs, reservations with their expiry)
 * and the {@link QuotaBook} (namespace GPU quotas). Kept incrementally from informer events; a node's snapshot is
 * rebuilt only after that node's devices or pods changed, so a filter costs the candidate nodes, never the pods of
 * the cluster. Decoding (annotations, registrations) happens before the lock is taken.
 *
 * <p>A filter's choose-and-reserve runs under the lock, so two filters never hand out the same slot; the choosing
 * itself is the verb's {@link Placer} (the placement engine). The periodic reconcile computes its diff outside the
 * lock and takes it only to apply the repairs.
 */
public final class ClusterState {

    /** Settings from the device config and {@code hami.*}. */
    public record Settings(String countResource, String memoryResource, String coreResource, int memoryFactor,
                           Duration reservationTimeout) {
    }

    /**
     * What {@link #rebuild} changed, by kind, and how long it held the state's lock to apply it (the verbs wait at
     * most that long for a rebuild).
     */
    public record Repairs(int nodes, int pods, int quotas, Duration lockHeld) {
        public int total() {
            return nodes + pods + quotas;
        }
    }

    /** Chooses a node and GPUs among snapshots: the verb's placement engine, run under the state's lock. */
    @FunctionalInterface
    public interface Placer {
        PlacementResult place(List<NodeSnapshot> candidates, NamespaceQuota quota);
    }

    private static final NodeRejection UNREGISTERED = NodeRejection.of(FailureReason.NODE_UNREGISTERED);

    private final Clock clock;
    private final PlacementTrust trust;
    private final ReentrantLock lock = new ReentrantLock();
    private final NodeRegistry registry;
    private final UsageLedger ledger;
    private final QuotaBook quotas;
    private boolean synced;
    private final LongAdder made = new LongAdder();
    private final LongAdder rolledBack = new LongAdder();
    private final LongAdder expired = new LongAdder();
    private final LongAdder dropped = new LongAdder();

    /**
     * @param trust which placements found in annotations count ({@link PlacementTrust}): pods this replica did not
     *              place itself are counted only when their placement's seal verifies or the migration setting
     *              trusts them
     */
    public ClusterState(NodeSnapshotFactory snapshotFactory, Settings settings, PlacementTrust trust, Clock clock) {
        this.clock = clock;
        this.trust = trust;
        this.registry = new NodeRegistry(snapshotFactory, settings.countResource());
        this.ledger = new UsageLedger(settings.reservationTimeout(), registry::invalidate);
        this.quotas = new QuotaBook(settings.memoryResource(), settings.coreResource(), settings.memoryFactor());
    }

    // ---- sync state -------------------------------------------------------------------------------------------

    public boolean synced() {
        lock.lock();
        try {
            return synced;
        } finally {
            lock.unlock();
        }
    }

    /** The verbs refuse to work until the next {@link #rebuild} (e.g. this replica lost the leadership). */
    public void markUnsynced() {
        lock.lock();
        try {
            synced = false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Drops every reservation (this replica lost the leadership: its in-memory reservations may be stale by the time
     * it leads again, and the pods' annotations tell the next leader the same); returns how many. Not recorded as
     * released, so a reservation still described by a pod's annotations is read back from them.
     */
    public int dropReservations() {
        lock.lock();
        try {
            int dropped = ledger.drop(entry -> true);
            this.dropped.add(dropped);
            return dropped;
        } finally {
            lock.unlock();
        }
    }

    // ---- informer events --------------------------------------------------------------------------------------

    /** A node was added or changed; returns what it now offers. */
    public NodeGpus applyNode(Node node) {
        NodeRegistry.NodeView view = registry.viewOf(node);
        lock.lock();
        try {
            registry.put(node.getMetadata().getName(), view);
            return view.gpus();
        } finally {
            lock.unlock();
        }
    }

    public void removeNode(String name) {
        lock.lock();
        try {
            registry.remove(name);
        } finally {
            lock.unlock();
        }
    }

    /** A pod was added or changed; returns what its annotations say, for the caller's logs. */
    public PodGpus applyPod(Pod pod) {
        PodGpus gpus = gpusOf(pod);
        String uid = pod.getMetadata().getUid();
        if (gpus instanceof PodGpus.None && ledger.get(uid) == null) {
            return gpus;  // the common case: a pod without GPUs (checked again under the lock below if not)
        }
        lock.lock();
        try {
            if (gpus instanceof PodGpus.None && ledger.get(uid) == null) {
                return gpus;
            }
            ledger.put(uid, ledger.expected(pod, gpus, clock.instant()));
            return gpus;
        } finally {
            lock.unlock();
        }
    }

    public void removePod(Pod pod) {
        lock.lock();
        try {
            ledger.forget(pod.getMetadata().getUid());
        } finally {
            lock.unlock();
        }
    }

    public void applyQuota(ResourceQuota quota) {
        QuotaBook.Limits limits = quotas.limitsOf(quota);
        lock.lock();
        try {
            quotas.put(QuotaBook.Key.of(quota), limits);
        } finally {
            lock.unlock();
        }
    }

    public void removeQuota(ResourceQuota quota) {
        lock.lock();
        try {
            quotas.remove(QuotaBook.Key.of(quota));
        } finally {
            lock.unlock();
        }
    }

    // ---- rebuild and reconcile --------------------------------------------------------------------------------

    /**
     * Compares the state with what the informer stores hold and repairs what differs (our own reservations that the
     * stores cannot know yet stay); returns the repairs. Everything is decoded and compared without the lock; the
     * lock is taken once, to apply only the repairs whose object the store still holds, so the verbs never wait for
     * a walk over the cluster.
     *
     * @param markSynced whether the verbs may work from now on (a rebuild after sync or on a leadership gain), or
     *                   whether this is a periodic reconciliation that leaves the sync state alone
     */
    public Repairs rebuild(InformerStores stores, boolean markSynced) {
        Instant now = clock.instant();
        Diff diff = diff(stores, now);
        lock.lock();
        long locked = System.nanoTime();
        try {
            int nodeRepairs = 0;
            for (Map.Entry<String, NodeRepair> e : diff.nodes().entrySet()) {
                String name = e.getKey();
                NodeRepair repair = e.getValue();
                if (registry.view(name) == repair.observed()
                        && (repair.node() == null ? stores.lacksNode(name) : stores.holds(repair.node()))) {
                    if (repair.expected() == null) {
                        registry.remove(name);
                    } else {
                        registry.put(name, repair.expected());
                    }
                    nodeRepairs++;
                }
            }
            int podRepairs = 0;
            for (Map.Entry<String, PodRepair> e : diff.pods().entrySet()) {
                PodRepair repair = e.getValue();
                PodEntry observed = repair.observed();
                if (ledger.get(e.getKey()) == observed && (repair.pod() == null
                        ? stores.lacksPod(observed.namespace(), observed.name(), e.getKey())
                        : stores.holds(repair.pod()))) {
                    ledger.put(e.getKey(), repair.expected());
                    // A changed expiry alone is no drift, nor a reservation whose time was up (expiry drops those).
                    if (observed == null || !observed.sameUsage(repair.expected()) && !observed.expired(now)) {
                        podRepairs++;
                    }
                }
            }
            int quotaRepairs = 0;
            Map<QuotaBook.Key, QuotaBook.Limits> before = quotas.all();
            if (!diff.quotas().equals(before)) {
                Set<QuotaBook.Key> keys = new HashSet<>(before.keySet());
                keys.addAll(diff.quotas().keySet());
                quotaRepairs = (int) keys.stream()
                        .filter(key -> !Objects.equals(before.get(key), diff.quotas().get(key))).count();
                before.keySet().forEach(quotas::remove);
                diff.quotas().forEach(quotas::put);
            }
            ledger.forgetReleased(diff.seenPods(), now);
            if (markSynced) {
                synced = true;
            }
            return new Repairs(nodeRepairs, podRepairs, quotaRepairs, Duration.ofNanos(System.nanoTime() - locked));
        } finally {
            lock.unlock();
        }
    }

    private record NodeRepair(Node node, NodeRegistry.NodeView observed, NodeRegistry.NodeView expected) {
    }

    private record PodRepair(Pod pod, PodEntry observed, PodEntry expected) {
    }

    /** Repairs by node name and pod UID, the quota book the stores describe, the pods the stores hold. */
    private record Diff(Map<String, NodeRepair> nodes, Map<String, PodRepair> pods,
                        Map<QuotaBook.Key, QuotaBook.Limits> quotas, Set<String> seenPods) {
    }

    /** What differs between the state and the stores; reads only, without the lock. */
    private Diff diff(InformerStores stores, Instant now) {
        Map<String, NodeRepair> nodeRepairs = new HashMap<>();
        Set<String> seenNodes = new HashSet<>();
        for (Node node : stores.nodes()) {
            String name = node.getMetadata().getName();
            seenNodes.add(name);
            NodeRegistry.NodeView observed = registry.view(name);
            NodeRegistry.NodeView expected = registry.viewOf(node);
            if (!expected.equals(observed)) {
                nodeRepairs.put(name, new NodeRepair(node, observed, expected));
            }
        }
        for (String name : List.copyOf(registry.names())) {
            if (!seenNodes.contains(name)) {
                nodeRepairs.put(name, new NodeRepair(null, registry.view(name), null));
            }
        }

        Map<String, PodRepair> podRepairs = new HashMap<>();
        Set<String> seenPods = new HashSet<>();
        for (Pod pod : stores.pods()) {
            String uid = pod.getMetadata().getUid();
            seenPods.add(uid);
            PodEntry observed = ledger.get(uid);
            PodEntry expected = ledger.expected(pod, gpusOf(pod), now);
            if (!Objects.equals(observed, expected)) {
                podRepairs.put(uid, new PodRepair(pod, observed, expected));
            }
        }
        for (PodEntry entry : List.copyOf(ledger.all())) {
            // A reservation of a pod the informer has not shown yet stays until it expires.
            if (!seenPods.contains(entry.uid()) && (entry.bound() || entry.expired(now))) {
                podRepairs.put(entry.uid(), new PodRepair(null, entry, null));
            }
        }

        Map<QuotaBook.Key, QuotaBook.Limits> described = new HashMap<>();
        for (ResourceQuota quota : stores.quotas()) {
            QuotaBook.Limits limits = quotas.limitsOf(quota);
            if (!limits.none()) {
                described.put(QuotaBook.Key.of(quota), limits);
            }
        }
        return new Diff(nodeRepairs, podRepairs, described, seenPods);
    }

    /** Drops reservations whose time is up (the pod was never bound); returns how many. */
    public int expireReservations() {
        lock.lock();
        try {
            Instant now = clock.instant();
            int expired = ledger.drop(entry -> entry.expired(now));
            this.expired.add(expired);
            return expired;
        } finally {
            lock.unlock();
        }
    }

    // ---- filter and bind --------------------------------------------------------------------------------------

    /**
     * Lets {@code placer} choose a node and GPUs for the pod among {@code nodeNames} and reserves its choice
     * (kube-scheduler's Filter, Score and Reserve). The pod's own earlier reservation does not count against it: a
     * re-filter replaces it. Names that are not registered GPU nodes are rejected as {@code node unregistered}, as in
     * HAMi.
     */
    public PlacementResult placeAndReserve(String uid, String namespace, String name, List<String> nodeNames,
                                           Placer placer) {
        lock.lock();
        try {
            PodEntry previous = ledger.get(uid);
            if (previous != null && previous.bound()) {
                return new PlacementResult.InvalidPod("pod " + namespace + "/" + name + " is already bound and"
                        + " holds GPUs on node " + previous.node());
            }
            Instant now = clock.instant();
            if (ledger.release(uid, now)) {
                rolledBack.increment();  // a re-filter replaces the pod's earlier reservation
            }
            TreeMap<String, NodeRejection> unregistered = new TreeMap<>();
            List<NodeSnapshot> candidates = new ArrayList<>(nodeNames.size());
            for (String nodeName : new LinkedHashSet<>(nodeNames)) {
                NodeSnapshot snapshot = registry.snapshot(nodeName, ledger::allocationsOn);
                if (snapshot == null) {
                    unregistered.put(nodeName, UNREGISTERED);
                } else {
                    candidates.add(snapshot);
                }
            }
            PlacementResult result = placer.place(candidates, quotas.quota(namespace, ledger.usage(namespace)));
            if (result instanceof PlacementResult.Placed placed) {
                ledger.reserve(uid, namespace, name, placed.node(), placed.allocation(), now);
                made.increment();
            }
            return result.withRejected(unregistered);
        } finally {
            lock.unlock();
        }
    }

    /** Drops the pod's reservation (not a bound pod's allocation); returns whether there was one. */
    public boolean unreserve(String uid) {
        lock.lock();
        try {
            boolean released = ledger.release(uid, clock.instant());
            if (released) {
                rolledBack.increment();
            }
            return released;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The pod's entry, for a bind about to start: a reservation is extended by the reservation timeout so it does
     * not lapse while the bind waits for the node lock.
     */
    public Optional<PodEntry> holdForBind(String uid) {
        lock.lock();
        try {
            return Optional.ofNullable(ledger.hold(uid, clock.instant()));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes over a placement found in the pod's annotations (written by a previous leader just before a failover,
     * or by another instance) when the ledger holds none for the pod: reserved as if this replica had made it, when
     * it still fits {@code node} next to everything the ledger holds there ({@link AllocationFit}). Returns why it
     * was not taken, or empty when the pod now holds it.
     */
    public Optional<String> adoptPlacement(Pod pod, String node) {
        PodGpus gpus = gpusOf(pod);
        if (gpus instanceof PodGpus.Untrusted untrusted) {
            return Optional.of("its placement is not taken over (" + untrusted.message() + ")");
        }
        if (!(gpus instanceof PodGpus.Held held) || held.bound()) {
            return Optional.of("its annotations hold no placement");
        }
        if (!held.node().equals(node)) {
            return Optional.of("its annotations place it on node " + held.node());
        }
        String uid = pod.getMetadata().getUid();
        String namespace = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        PodAllocation allocation = held.allocation();
        lock.lock();
        try {
            PodEntry current = ledger.get(uid);
            if (current != null) {
                return current.node().equals(node) && current.allocation().equals(allocation) ? Optional.empty()
                        : Optional.of("the ledger holds another placement for it, on node " + current.node());
            }
            NodeSnapshot snapshot = registry.snapshot(node, ledger::allocationsOn);
            if (snapshot == null) {
                return Optional.of("node " + node + " is not a registered GPU node");
            }
            Optional<String> problem = AllocationFit.problem(snapshot, allocation);
            if (problem.isEmpty()) {
                ledger.reserve(uid, namespace, name, node, allocation, clock.instant());
            }
            return problem;
        } finally {
            lock.unlock();
        }
    }

    /** What the pod's annotations say about its GPUs, with the placement judged by the trust rule. */
    PodGpus gpusOf(Pod pod) {
        return PodGpus.of(pod, trust);
    }

    /** The placement seal {@code /filter} writes with a placement of pod {@code uid}. */
    public String seal(String uid, String node, String allocation) {
        return trust.seal().seal(uid, node, allocation);
    }

    /** The snapshot of a node for placement, or {@code null} when it is not a registered GPU node. */
    public NodeSnapshot snapshotOf(String nodeName) {
        lock.lock();
        try {
            return registry.snapshot(nodeName, ledger::allocationsOn);
        } finally {
            lock.unlock();
        }
    }

    /** Every entry at this moment. */
    public List<PodEntry> entries() {
        lock.lock();
        try {
            return List.copyOf(ledger.all());
        } finally {
            lock.unlock();
        }
    }

    /** How many reservations were made and how they ended, since start (read by the metrics at scrape time). */
    public record ReservationCounts(long made, long rolledBack, long expired, long dropped) {
    }

    public ReservationCounts reservationCounts() {
        return new ReservationCounts(made.sum(), rolledBack.sum(), expired.sum(), dropped.sum());
    }

    /**
     * The ledger as it is now, for readers at scrape or render time: the nodes' snapshots (shared with the verbs,
     * built for nodes that changed since the last look), the entries per node and the namespace quotas.
     */
    public LedgerView view() {
        lock.lock();
        try {
            Map<String, NodeSnapshot> nodes = new HashMap<>();
            Map<String, List<PodEntry>> pods = new HashMap<>();
            for (String name : registry.names()) {
                NodeSnapshot snapshot = registry.snapshot(name, ledger::allocationsOn);
                if (snapshot != null) {
                    nodes.put(name, snapshot);
                    pods.put(name, List.copyOf(ledger.entriesOn(name)));
                }
            }
            Map<String, NamespaceQuota> byNamespace = new HashMap<>();
            quotas.namespaces().forEach(ns -> byNamespace.put(ns, quotas.quota(ns, ledger.usage(ns))));
            return new LedgerView(nodes, pods, byNamespace);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The GPU quota of a namespace (limits and what its pods hold, as {@code /filter} judges it), for the admission
     * webhook; empty while the state is not synced, when usage could be undercounted.
     */
    public Optional<NamespaceQuota> quotaIfSynced(String namespace) {
        lock.lock();
        try {
            return synced ? Optional.of(quotas.quota(namespace, ledger.usage(namespace))) : Optional.empty();
        } finally {
            lock.unlock();
        }
    }
}
