package dev.gpushare.scheduler.state;

import dev.gpushare.common.device.PodAllocation;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Who holds which GPUs: one {@link PodEntry} per pod UID (bound pods from their annotations, reservations made by
 * {@code /filter} with their expiry), indexed by node, with the GPU memory and cores each namespace holds. Written
 * only under {@link ClusterState}'s lock; entries and the released marks may be read without it (the reconcile
 * computes what it expects outside the lock).
 */
final class UsageLedger {

    /** GPU memory (MiB) and cores (percent) that a namespace's pods hold. */
    record NamespaceUsage(long memory, long cores) {
        static final NamespaceUsage NONE = new NamespaceUsage(0, 0);

        NamespaceUsage plus(PodEntry entry, int sign) {
            return new NamespaceUsage(memory + sign * entry.memory(), cores + sign * entry.cores());
        }
    }

    private final Duration reservationTimeout;
    /** Told the node whose usage changed, so its snapshot is built again. */
    private final Consumer<String> usageChanged;

    private final Map<String, PodEntry> entries = new ConcurrentHashMap<>();
    private final Map<String, Map<String, PodEntry>> byNode = new HashMap<>();
    private final Map<String, NamespaceUsage> byNamespace = new HashMap<>();
    /** Reservations dropped on purpose (bind failure, re-filter): pod UID to when; annotations older stay dropped. */
    private final Map<String, Instant> released = new ConcurrentHashMap<>();

    UsageLedger(Duration reservationTimeout, Consumer<String> usageChanged) {
        this.reservationTimeout = reservationTimeout;
        this.usageChanged = usageChanged;
    }

    PodEntry get(String uid) {
        return entries.get(uid);
    }

    Collection<PodEntry> all() {
        return entries.values();
    }

    /** The allocations counted on a node, for its snapshot. */
    List<PodAllocation> allocationsOn(String node) {
        return byNode.getOrDefault(node, Map.of()).values().stream().map(PodEntry::allocation).toList();
    }

    /** The entries on a node. */
    Collection<PodEntry> entriesOn(String node) {
        return byNode.getOrDefault(node, Map.of()).values();
    }

    NamespaceUsage usage(String namespace) {
        return byNamespace.getOrDefault(namespace, NamespaceUsage.NONE);
    }

    /**
     * The entry a pod should have: a bound pod its annotated allocation; an unbound pod our own live reservation,
     * else the reservation its annotations describe while {@code hami.io/vgpu-time} is within the reservation
     * timeout (so a restart keeps the reservations of pods about to be bound), unless we dropped it on purpose. An
     * untrusted placement adds nothing: the pod keeps only what the ledger already holds for it (our own placement,
     * whatever its annotations were changed to). Reads only; safe without the lock.
     */
    PodEntry expected(Pod pod, PodGpus gpus, Instant now) {
        if (gpus instanceof PodGpus.Finished) {
            return null;
        }
        String uid = pod.getMetadata().getUid();
        String namespace = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        if (gpus instanceof PodGpus.Untrusted untrusted) {
            PodEntry current = entries.get(uid);
            if (current == null || !current.bound() && !untrusted.claimed().bound() && current.expired(now)) {
                return null;
            }
            return untrusted.claimed().bound() && !current.bound()
                    ? PodEntry.bound(uid, namespace, name, current.node(), current.allocation()) : current;
        }
        if (gpus instanceof PodGpus.Held held && held.bound()) {
            return PodEntry.bound(uid, namespace, name, held.node(), held.allocation());
        }
        String boundTo = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        if (boundTo != null && !boundTo.isEmpty()) {
            return null;  // bound without a readable allocation: nothing we can count
        }
        PodEntry current = entries.get(uid);
        if (current != null && !current.bound() && !current.expired(now)) {
            return current;
        }
        if (gpus instanceof PodGpus.Held held) {
            Instant releasedAt = released.get(uid);
            Instant expiresAt = held.filteredAt().plus(reservationTimeout);
            if ((releasedAt == null || held.filteredAt().isAfter(releasedAt)) && now.isBefore(expiresAt)) {
                return PodEntry.reservation(uid, namespace, name, held.node(), held.allocation(), expiresAt);
            }
        }
        return null;
    }

    /** Reserves GPUs for a pod that {@code /filter} placed. */
    void reserve(String uid, String namespace, String name, String node, PodAllocation allocation, Instant now) {
        put(uid, PodEntry.reservation(uid, namespace, name, node, allocation, now.plus(reservationTimeout)));
        released.remove(uid);
    }

    /** Drops the pod's reservation (not a bound pod's allocation) on purpose; returns whether there was one. */
    boolean release(String uid, Instant now) {
        PodEntry entry = entries.get(uid);
        if (entry == null || entry.bound()) {
            return false;
        }
        put(uid, null);
        released.put(uid, now);
        return true;
    }

    /** Extends a reservation by the reservation timeout, so it does not lapse while a bind waits. */
    PodEntry hold(String uid, Instant now) {
        PodEntry entry = entries.get(uid);
        if (entry == null) {
            return null;
        }
        PodEntry held = entry.extendedTo(now.plus(reservationTimeout));
        if (held != entry) {
            entries.put(uid, held);
            byNode.get(held.node()).put(uid, held);
        }
        return held;
    }

    /** The pod is gone: its entry and its released mark. */
    void forget(String uid) {
        put(uid, null);
        released.remove(uid);
    }

    /** Forgets released marks older than {@code before} of pods not in {@code alive}. */
    void forgetReleased(Collection<String> alive, Instant before) {
        released.entrySet().removeIf(e -> !alive.contains(e.getKey()) && e.getValue().isBefore(before));
    }

    /** Drops the reservations {@code which} selects; returns how many. */
    int drop(java.util.function.Predicate<PodEntry> which) {
        List<String> dropped = entries.values().stream().filter(e -> !e.bound() && which.test(e))
                .map(PodEntry::uid).toList();
        dropped.forEach(uid -> put(uid, null));
        return dropped.size();
    }

    /** Sets ({@code entry} non-null) or removes the pod's entry, keeping the indexes and snapshots current. */
    void put(String uid, PodEntry entry) {
        PodEntry old = entries.get(uid);
        if (old == null && entry == null) {
            return;
        }
        if (old != null) {
            if (old.equals(entry)) {
                return;
            }
            entries.remove(uid);
            Map<String, PodEntry> onNode = byNode.get(old.node());
            onNode.remove(uid);
            if (onNode.isEmpty()) {
                byNode.remove(old.node());
            }
            count(old, -1);
            if (!old.sameUsage(entry)) {
                usageChanged.accept(old.node());
            }
        }
        if (entry != null) {
            entries.put(uid, entry);
            byNode.computeIfAbsent(entry.node(), n -> new HashMap<>()).put(uid, entry);
            count(entry, 1);
            if (!entry.sameUsage(old)) {
                usageChanged.accept(entry.node());
            }
        }
    }

    private void count(PodEntry entry, int sign) {
        NamespaceUsage usage = usage(entry.namespace()).plus(entry, sign);
        if (usage.memory() == 0 && usage.cores() == 0) {
            byNamespace.remove(entry.namespace());
        } else {
            byNamespace.put(entry.namespace(), usage);
        }
    }
}
