package dev.gpushare.scheduler.state;

import dev.gpushare.common.request.KubeQuantity;
import dev.gpushare.placement.NamespaceQuota;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The GPU limits of every namespace, from its ResourceQuota objects (spec 5.6). Every ResourceQuota of a namespace
 * applies, so the tightest limit wins (HAMi keeps only the last one it saw). Guarded by {@link ClusterState}'s lock.
 */
final class QuotaBook {

    /** One ResourceQuota's GPU limits; 0 = no limit. */
    record Limits(long memory, long cores) {
        boolean none() {
            return memory == 0 && cores == 0;
        }
    }

    /** A ResourceQuota by where it lives. */
    record Key(String namespace, String name) {
        static Key of(ResourceQuota quota) {
            return new Key(quota.getMetadata().getNamespace(), quota.getMetadata().getName());
        }
    }

    private final String memoryResource;
    private final String coreResource;
    private final int memoryFactor;
    private final Map<String, Map<String, Limits>> byNamespace = new HashMap<>();

    QuotaBook(String memoryResource, String coreResource, int memoryFactor) {
        this.memoryResource = memoryResource;
        this.coreResource = coreResource;
        this.memoryFactor = memoryFactor;
    }

    /** The GPU limits a ResourceQuota sets (no lock needed). */
    Limits limitsOf(ResourceQuota quota) {
        Map<String, Quantity> hard = quota.getSpec() == null || quota.getSpec().getHard() == null ? Map.of()
                : quota.getSpec().getHard();
        return new Limits(wholeOrZero(hard.get("limits." + memoryResource)),
                wholeOrZero(hard.get("limits." + coreResource)));
    }

    /** Sets the limits of one ResourceQuota; limits of none remove it. */
    void put(Key key, Limits limits) {
        if (limits.none()) {
            remove(key);
            return;
        }
        byNamespace.computeIfAbsent(key.namespace(), n -> new HashMap<>()).put(key.name(), limits);
    }

    void remove(Key key) {
        Map<String, Limits> namespace = byNamespace.get(key.namespace());
        if (namespace != null) {
            namespace.remove(key.name());
            if (namespace.isEmpty()) {
                byNamespace.remove(key.namespace());
            }
        }
    }

    /** Every ResourceQuota with limits, by key. */
    Map<Key, Limits> all() {
        Map<Key, Limits> all = new HashMap<>();
        byNamespace.forEach((namespace, quotas) -> quotas.forEach((name, limits) ->
                all.put(new Key(namespace, name), limits)));
        return all;
    }

    Set<String> namespaces() {
        return byNamespace.keySet();
    }

    /** The namespace's quota as placement judges it: the tightest limits, and what its pods hold. */
    NamespaceQuota quota(String namespace, UsageLedger.NamespaceUsage used) {
        Map<String, Limits> limits = byNamespace.get(namespace);
        if (limits == null) {
            return new NamespaceQuota(0, used.memory(), 0, used.cores());
        }
        long memory = limits.values().stream().mapToLong(Limits::memory).filter(l -> l > 0).min().orElse(0);
        long cores = limits.values().stream().mapToLong(Limits::cores).filter(l -> l > 0).min().orElse(0);
        if (memoryFactor > 1) {
            memory *= memoryFactor;
        }
        return new NamespaceQuota(memory, used.memory(), cores, used.cores());
    }

    /** A limit as a whole number; absent, not positive or not a quantity we read is no limit (0). */
    private static long wholeOrZero(Quantity quantity) {
        return quantity == null ? 0 : KubeQuantity.valueOf(quantity).filter(value -> value.signum() > 0)
                .map(BigDecimal::longValue).orElse(0L);
    }
}
