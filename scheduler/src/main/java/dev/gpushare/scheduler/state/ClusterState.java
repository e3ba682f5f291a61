package dev.gpushare.scheduler.state;

import dev.gpushare.common.device.PodAllocation;
import dev.gpushare.common.request.PodRequest;
import dev.gpushare.placement.AllocationFit;
import dev.gpushare.placement.FailureReason;
import dev.gpushare.placement.NamespaceQuota;
import dev.gpushare.placement.NodeRejection;
import dev.gpushare.placement.NodeSnapshot;
import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.placement.NodeSnapshotFactory;
import dev.gpushare.placement.PlacementEngine;
import dev.gpushare.placement.PlacementRequest;
import dev.gpushare.placement.PlacementResult;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
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
import java.util.function.Supplier;

/**
 * What the scheduler knows of the cluster's GPUs: the node registry (devices per node, from the informers), the
 * usage ledger (one {@link PodEntry} per pod UID: bound pods from their annotations, reservations made by
 * {@code /filter}) and the namespace quotas (spec 5.6). Kept incrementally from informer events; the
 * {@link NodeSnapshot} of a node is rebuilt only after that node's devices or pods changed, so a filter costs the
 * candidate nodes, never the pods of the cluster.
 *
 * <p>One lock guards everything; a filter's evaluate-and-reserve runs under it, so two filters never hand out the
 * same slot. The domain work (fit, score) is the pure {@link PlacementEngine}.
 */
public final class ClusterState {

    /** A node as the registry keeps it. */
    /** @param cordoned GPU UUIDs of {@code hami.io/device-cordon} */
    private record NodeView(Map<String, String> labels, Set<String> cordoned, NodeGpus gpus) {
    }

    /** Settings from the device config and {@code hami.*}. */
    public record Settings(String countResource, String memoryResource, String coreResource, int memoryFactor,
                           Duration reservationTimeout) {
    }

    /** What {@link #rebuild} changed, by kind. */
    public record Repairs(int nodes, int pods, int quotas) {
        public int total() {
            return nodes + pods + quotas;
        }
    }

    private static final NodeRejection UNREGISTERED = NodeRejection.of(FailureReason.NODE_UNREGISTERED);

    private final PlacementEngine engine;
    private final NodeSnapshotFactory snapshotFactory;
    private final Settings settings;
    private final Clock clock;

    private final ReentrantLock lock = new ReentrantLock();
    private boolean synced;

    private final Map<String, NodeView> nodes = new HashMap<>();
    private final Map<String, NodeSnapshot> snapshots = new HashMap<>();
    private final Map<String, PodEntry> entries = new HashMap<>();
    private final Map<String, Map<String, PodEntry>> entriesByNode = new HashMap<>();
    /** Per namespace: {MiB, cores} held by its pods' entries. */
    private final Map<String, long[]> usageByNamespace = new HashMap<>();
    /** Per namespace, per ResourceQuota name: {MiB limit, cores limit} (0 = none). */
    private final Map<String, Map<String, long[]>> quotas = new HashMap<>();
    /** Reservations dropped on purpose (bind failure, re-filter): pod UID to when; annotations older stay dropped. */
    private final Map<String, Instant> released = new HashMap<>();
    private final LongAdder made = new LongAdder();
    private final LongAdder rolledBack = new LongAdder();
    private final LongAdder expired = new LongAdder();
    private final LongAdder dropped = new LongAdder();

    public ClusterState(PlacementEngine engine, NodeSnapshotFactory snapshotFactory, Settings settings, Clock clock) {
        this.engine = engine;
        this.snapshotFactory = snapshotFactory;
        this.settings = settings;
        this.clock = clock;
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
            List<String> reserved = entries.values().stream().filter(e -> !e.bound()).map(PodEntry::uid).toList();
            reserved.forEach(uid -> put(uid, null));
            dropped.add(reserved.size());
            return reserved.size();
        } finally {
            lock.unlock();
        }
    }

    // ---- informer events --------------------------------------------------------------------------------------

    /** A node was added or changed; returns what it now offers. */
    public NodeGpus applyNode(Node node) {
        String name = node.getMetadata().getName();
        NodeView view = view(node);
        lock.lock();
        try {
            if (!view.equals(nodes.put(name, view))) {
                snapshots.remove(name);
            }
            return view.gpus();
        } finally {
            lock.unlock();
        }
    }

    public void removeNode(String name) {
        lock.lock();
        try {
            nodes.remove(name);
            snapshots.remove(name);
        } finally {
            lock.unlock();
        }
    }

    /** A pod was added or changed; returns what its annotations say, for the caller's logs. */
    public PodGpus applyPod(Pod pod) {
        PodGpus gpus = PodGpus.of(pod);
        String uid = pod.getMetadata().getUid();
        lock.lock();
        try {
            if (gpus instanceof PodGpus.None && !entries.containsKey(uid)) {
                return gpus;  // the common case: a pod without GPUs
            }
            put(uid, expected(pod, gpus, entries.get(uid), clock.instant()));
            return gpus;
        } finally {
            lock.unlock();
        }
    }

    public void removePod(Pod pod) {
        String uid = pod.getMetadata().getUid();
        lock.lock();
        try {
            put(uid, null);
            released.remove(uid);
        } finally {
            lock.unlock();
        }
    }

    public void applyQuota(ResourceQuota quota) {
        lock.lock();
        try {
            putQuota(quota);
        } finally {
            lock.unlock();
        }
    }

    public void removeQuota(ResourceQuota quota) {
        lock.lock();
        try {
            Map<String, long[]> namespace = quotas.get(quota.getMetadata().getNamespace());
            if (namespace != null) {
                namespace.remove(quota.getMetadata().getName());
                if (namespace.isEmpty()) {
                    quotas.remove(quota.getMetadata().getNamespace());
                }
            }
        } finally {
            lock.unlock();
        }
    }

    // ---- rebuild and reconcile --------------------------------------------------------------------------------

    /**
     * Replaces the whole state by what the informer stores hold (plus our own reservations the stores cannot know
     * yet); returns what differed from the incrementally kept state. The stores are read under the lock, so an
     * informer event is either in what is read or applied after.
     *
     * @param markSynced whether the verbs may work from now on (a rebuild after sync or on a leadership gain), or
     *                   whether this is a periodic reconciliation that leaves the sync state alone
     */
    public Repairs rebuild(Supplier<Collection<Node>> nodeStore, Supplier<Collection<Pod>> podStore,
                           Supplier<Collection<ResourceQuota>> quotaStore, boolean markSynced) {
        lock.lock();
        try {
            Instant now = clock.instant();
            Map<String, NodeView> newNodes = new HashMap<>();
            for (Node node : nodeStore.get()) {
                newNodes.put(node.getMetadata().getName(), view(node));
            }
            int nodeRepairs = differences(nodes, newNodes);

            Map<String, PodEntry> newEntries = new HashMap<>();
            Set<String> seen = new HashSet<>();
            for (Pod pod : podStore.get()) {
                String uid = pod.getMetadata().getUid();
                seen.add(uid);
                PodEntry entry = expected(pod, PodGpus.of(pod), entries.get(uid), now);
                if (entry != null) {
                    newEntries.put(uid, entry);
                }
            }
            entries.forEach((uid, entry) -> {
                // A reservation of a pod the informer has not shown yet.
                if (!seen.contains(uid) && !entry.bound() && !entry.expired(now)) {
                    newEntries.put(uid, entry);
                }
            });
            int podRepairs = 0;
            for (String uid : union(entries.keySet(), newEntries.keySet())) {
                PodEntry before = entries.get(uid);
                if (before == null || !before.sameUsage(newEntries.get(uid))) {
                    podRepairs++;
                }
            }

            Map<String, Map<String, long[]>> oldQuotas = new HashMap<>(quotas);
            quotas.clear();
            for (ResourceQuota quota : quotaStore.get()) {
                putQuota(quota);
            }
            int quotaRepairs = quotaDifferences(oldQuotas, quotas);

            nodes.clear();
            nodes.putAll(newNodes);
            entries.clear();
            entriesByNode.clear();
            usageByNamespace.clear();
            snapshots.clear();
            newEntries.forEach(this::put);
            released.keySet().retainAll(seen);
            if (markSynced) {
                synced = true;
            }
            return new Repairs(nodeRepairs, podRepairs, quotaRepairs);
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
            Map<String, NodeSnapshot> all = new HashMap<>();
            Map<String, List<PodEntry>> pods = new HashMap<>();
            for (String name : nodes.keySet()) {
                NodeSnapshot snapshot = snapshot(name);
                if (snapshot != null) {
                    all.put(name, snapshot);
                    pods.put(name, List.copyOf(entriesByNode.getOrDefault(name, Map.of()).values()));
                }
            }
            Map<String, NamespaceQuota> byNamespace = new HashMap<>();
            quotas.keySet().forEach(namespace -> byNamespace.put(namespace, quota(namespace)));
            return new LedgerView(all, pods, byNamespace);
        } finally {
            lock.unlock();
        }
    }

    /** Drops reservations whose time is up (the pod was never bound); returns how many. */
    public int expireReservations() {
        lock.lock();
        try {
            Instant now = clock.instant();
            List<String> expired = entries.values().stream().filter(e -> e.expired(now)).map(PodEntry::uid).toList();
            expired.forEach(uid -> put(uid, null));
            this.expired.add(expired.size());
            return expired.size();
        } finally {
            lock.unlock();
        }
    }

    // ---- filter and bind --------------------------------------------------------------------------------------

    /**
     * Chooses a node and GPUs for the pod among {@code nodeNames} and reserves them (kube-scheduler's Filter, Score
     * and Reserve). The pod's own earlier reservation does not count against it: a re-filter replaces it. Names
     * that are not registered GPU nodes fail with {@code node unregistered}, as in HAMi.
     */
    public PlacementResult placeAndReserve(String uid, String namespace, String name, PodRequest request,
                                           Map<String, String> annotations, List<String> nodeNames) {
        lock.lock();
        try {
            PodEntry previous = entries.get(uid);
            if (previous != null && previous.bound()) {
                return new PlacementResult.InvalidPod("pod " + namespace + "/" + name + " is already bound and"
                        + " holds GPUs on node " + previous.node());
            }
            Instant now = clock.instant();
            if (previous != null) {
                put(uid, null);
                released.put(uid, now);
                rolledBack.increment();  // a re-filter replaces the pod's earlier reservation
            }
            TreeMap<String, NodeRejection> unregistered = new TreeMap<>();
            List<NodeSnapshot> candidates = new ArrayList<>(nodeNames.size());
            for (String nodeName : new LinkedHashSet<>(nodeNames)) {
                NodeSnapshot snapshot = snapshot(nodeName);
                if (snapshot == null) {
                    unregistered.put(nodeName, UNREGISTERED);
                } else {
                    candidates.add(snapshot);
                }
            }
            PlacementResult result = engine.place(
                    new PlacementRequest(namespace, name, request, annotations, quota(namespace)), candidates);
            if (result instanceof PlacementResult.Placed placed) {
                put(uid, PodEntry.reservation(uid, namespace, name, placed.node(), placed.allocation(),
                        now.plus(settings.reservationTimeout())));
                released.remove(uid);
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
            PodEntry entry = entries.get(uid);
            if (entry == null || entry.bound()) {
                return false;
            }
            put(uid, null);
            released.put(uid, clock.instant());
            rolledBack.increment();
            return true;
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
            PodEntry entry = entries.get(uid);
            if (entry == null) {
                return Optional.empty();
            }
            PodEntry held = entry.extendedTo(clock.instant().plus(settings.reservationTimeout()));
            entries.put(uid, held);
            entriesByNode.get(held.node()).put(uid, held);
            return Optional.of(held);
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
        if (!(PodGpus.of(pod) instanceof PodGpus.Held held) || held.bound()) {
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
            PodEntry current = entries.get(uid);
            if (current != null) {
                return current.node().equals(node) && current.allocation().equals(allocation) ? Optional.empty()
                        : Optional.of("the ledger holds another placement for it, on node " + current.node());
            }
            NodeSnapshot snapshot = snapshot(node);
            if (snapshot == null) {
                return Optional.of("node " + node + " is not a registered GPU node");
            }
            Optional<String> problem = AllocationFit.problem(snapshot, allocation);
            if (problem.isEmpty()) {
                put(uid, PodEntry.reservation(uid, namespace, name, node, allocation,
                        clock.instant().plus(settings.reservationTimeout())));
                released.remove(uid);
            }
            return problem;
        } finally {
            lock.unlock();
        }
    }

    /** The snapshot of a node for placement, or {@code null} when it is not a registered GPU node. */
    public NodeSnapshot snapshotOf(String nodeName) {
        lock.lock();
        try {
            return snapshot(nodeName);
        } finally {
            lock.unlock();
        }
    }

    public Optional<PodEntry> entry(String uid) {
        lock.lock();
        try {
            return Optional.ofNullable(entries.get(uid));
        } finally {
            lock.unlock();
        }
    }

    /** Every entry, for tests and reconciliation checks. */
    public List<PodEntry> entries() {
        lock.lock();
        try {
            return List.copyOf(entries.values());
        } finally {
            lock.unlock();
        }
    }

    // ---- internals (lock held) --------------------------------------------------------------------------------

    private NodeView view(Node node) {
        Map<String, String> labels = node.getMetadata().getLabels();
        Map<String, String> annotations = node.getMetadata().getAnnotations();
        return new NodeView(labels == null ? Map.of() : Map.copyOf(labels),
                NodeSnapshotFactory.cordoned(annotations == null ? null : annotations.get(HamiKeys.DEVICE_CORDON)),
                NodeGpus.of(node, settings.countResource()));
    }

    /**
     * The entry a pod should have: a bound pod its annotated allocation; an unbound pod our own live reservation,
     * else the reservation its annotations describe while {@code hami.io/vgpu-time} is within the reservation
     * timeout (so a restart keeps the reservations of pods about to be bound), unless we dropped it on purpose.
     */
    private PodEntry expected(Pod pod, PodGpus gpus, PodEntry current, Instant now) {
        if (gpus instanceof PodGpus.Finished) {
            return null;
        }
        String uid = pod.getMetadata().getUid();
        String namespace = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        if (gpus instanceof PodGpus.Held held && held.bound()) {
            return PodEntry.bound(uid, namespace, name, held.node(), held.allocation());
        }
        String boundTo = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        if (boundTo != null && !boundTo.isEmpty()) {
            return null;  // bound without a readable allocation: nothing we can count
        }
        if (current != null && !current.bound() && !current.expired(now)) {
            return current;
        }
        if (gpus instanceof PodGpus.Held held) {
            Instant releasedAt = released.get(uid);
            Instant expiresAt = held.filteredAt().plus(settings.reservationTimeout());
            if ((releasedAt == null || held.filteredAt().isAfter(releasedAt)) && now.isBefore(expiresAt)) {
                return PodEntry.reservation(uid, namespace, name, held.node(), held.allocation(), expiresAt);
            }
        }
        return null;
    }

    /** Sets ({@code entry} non-null) or removes the pod's entry, keeping the indexes and snapshots current. */
    private void put(String uid, PodEntry entry) {
        PodEntry old = entries.get(uid);
        if (old == null && entry == null) {
            return;
        }
        if (old != null) {
            if (old.equals(entry)) {
                return;
            }
            entries.remove(uid);
            Map<String, PodEntry> onNode = entriesByNode.get(old.node());
            onNode.remove(uid);
            if (onNode.isEmpty()) {
                entriesByNode.remove(old.node());
            }
            addUsage(old, -1);
            if (!old.sameUsage(entry)) {
                snapshots.remove(old.node());
            }
        }
        if (entry != null) {
            entries.put(uid, entry);
            entriesByNode.computeIfAbsent(entry.node(), n -> new HashMap<>()).put(uid, entry);
            addUsage(entry, 1);
            if (!entry.sameUsage(old)) {
                snapshots.remove(entry.node());
            }
        }
    }

    private void addUsage(PodEntry entry, int sign) {
        long[] usage = usageByNamespace.computeIfAbsent(entry.namespace(), n -> new long[2]);
        usage[0] += sign * entry.memory();
        usage[1] += sign * entry.cores();
        if (usage[0] == 0 && usage[1] == 0) {
            usageByNamespace.remove(entry.namespace());
        }
    }

    private NodeSnapshot snapshot(String nodeName) {
        NodeSnapshot cached = snapshots.get(nodeName);
        if (cached != null) {
            return cached;
        }
        NodeView view = nodes.get(nodeName);
        if (view == null) {
            return null;
        }
        NodeSnapshot built;
        if (view.gpus() instanceof NodeGpus.Registered registered) {
            List<PodAllocation> allocations = entriesByNode.getOrDefault(nodeName, Map.of()).values().stream()
                    .map(PodEntry::allocation).toList();
            built = snapshotFactory.snapshot(nodeName, view.labels(), view.cordoned(), registered.devices(),
                    registered.pairScores(), allocations);
        } else if (view.gpus() instanceof NodeGpus.Invalid invalid) {
            built = snapshotFactory.unregistrable(nodeName, view.labels(), invalid.problem());
        } else {
            return null;
        }
        snapshots.put(nodeName, built);
        return built;
    }

    private void putQuota(ResourceQuota quota) {
        Map<String, Quantity> hard = quota.getSpec() == null || quota.getSpec().getHard() == null ? Map.of()
                : quota.getSpec().getHard();
        long memory = wholeOrZero(hard.get("limits." + settings.memoryResource()));
        long cores = wholeOrZero(hard.get("limits." + settings.coreResource()));
        Map<String, long[]> namespace = quotas.computeIfAbsent(quota.getMetadata().getNamespace(),
                n -> new HashMap<>());
        if (memory == 0 && cores == 0) {
            namespace.remove(quota.getMetadata().getName());
            if (namespace.isEmpty()) {
                quotas.remove(quota.getMetadata().getNamespace());
            }
        } else {
            namespace.put(quota.getMetadata().getName(), new long[] {memory, cores});
        }
    }

    /**
     * The namespace's GPU quota. Every ResourceQuota object of a namespace applies, so the tightest limit wins
     * (HAMi keeps only the last one it saw).
     */
    private NamespaceQuota quota(String namespace) {
        Map<String, long[]> limits = quotas.get(namespace);
        long[] used = usageByNamespace.getOrDefault(namespace, new long[2]);
        if (limits == null) {
            return new NamespaceQuota(0, used[0], 0, used[1]);
        }
        long memory = tightest(limits.values(), 0);
        long cores = tightest(limits.values(), 1);
        if (settings.memoryFactor() > 1) {
            memory *= settings.memoryFactor();
        }
        return new NamespaceQuota(memory, used[0], cores, used[1]);
    }

    private static long tightest(Collection<long[]> limits, int index) {
        return limits.stream().mapToLong(l -> l[index]).filter(l -> l > 0).min().orElse(0);
    }

    private static long wholeOrZero(Quantity quantity) {
        if (quantity == null) {
            return 0;
        }
        try {
            BigDecimal value = Quantity.getAmountInBytes(quantity);
            return value.signum() <= 0 ? 0 : value.longValue();
        } catch (ArithmeticException | IllegalArgumentException e) {
            return 0;
        }
    }

    private static int differences(Map<String, NodeView> before, Map<String, NodeView> after) {
        int count = 0;
        for (String name : union(before.keySet(), after.keySet())) {
            if (!Objects.equals(before.get(name), after.get(name))) {
                count++;
            }
        }
        return count;
    }

    private static int quotaDifferences(Map<String, Map<String, long[]>> before,
                                        Map<String, Map<String, long[]>> after) {
        int count = 0;
        for (String namespace : union(before.keySet(), after.keySet())) {
            Map<String, long[]> a = before.getOrDefault(namespace, Map.of());
            Map<String, long[]> b = after.getOrDefault(namespace, Map.of());
            for (String name : union(a.keySet(), b.keySet())) {
                if (!Arrays.equals(a.get(name), b.get(name))) {
                    count++;
                }
            }
        }
        return count;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return all;
    }

    /**
     * The GPU quota of a namespace (limits and what its pods hold, as {@code /filter} judges it), for the admission
     * webhook; empty while the state is not synced, when usage could be undercounted.
     */
    public Optional<NamespaceQuota> quotaIfSynced(String namespace) {
        lock.lock();
        try {
            return synced ? Optional.of(quota(namespace)) : Optional.empty();
        } finally {
            lock.unlock();
        }
    }
}
