package dev.gpushare.scheduler.state;

import dev.gpushare.common.device.ContainerDevice;
import dev.gpushare.common.device.PodAllocation;
import java.time.Instant;
import java.util.Objects;

/**
 * The GPUs one pod holds in the usage ledger: either a reservation made by {@code /filter} (or read back from the
 * annotations of a pod not bound yet), which expires, or the allocation of a bound pod.
 *
 * @param expiresAt when a reservation lapses; {@code null} for a bound pod
 */
public record PodEntry(String uid, String namespace, String name, String node, PodAllocation allocation,
                       boolean bound, Instant expiresAt) {

    public PodEntry {
        Objects.requireNonNull(uid, "uid");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(allocation, "allocation");
        if (!bound) {
            Objects.requireNonNull(expiresAt, "expiresAt");
        }
    }

    static PodEntry reservation(String uid, String namespace, String name, String node, PodAllocation allocation,
                                Instant expiresAt) {
        return new PodEntry(uid, namespace, name, node, allocation, false, expiresAt);
    }

    static PodEntry bound(String uid, String namespace, String name, String node, PodAllocation allocation) {
        return new PodEntry(uid, namespace, name, node, allocation, true, null);
    }

    boolean expired(Instant now) {
        return !bound && !now.isBefore(expiresAt);
    }

    PodEntry extendedTo(Instant until) {
        return bound || !until.isAfter(expiresAt) ? this : reservation(uid, namespace, name, node, allocation, until);
    }

    long memory() {
        return allocation.devices().stream().mapToLong(ContainerDevice::usedmem).sum();
    }

    long cores() {
        return allocation.devices().stream().mapToLong(ContainerDevice::usedcores).sum();
    }

    /** Same GPUs counted the same way (a reservation's expiry is not part of the usage). */
    boolean sameUsage(PodEntry other) {
        return other != null && node.equals(other.node) && bound == other.bound && allocation.equals(other.allocation)
                && namespace.equals(other.namespace);
    }
}
