package dev.gpushare.scheduler.embedded;

import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The keys of the CRUD store by object name. The stock store finds an object by testing every key it holds against
 * the request's; with a few hundred pods, their nodes and a device plugin, a burst makes thousands of requests for
 * one object each (every create first looks for its name), and those scans were most of the embedded API server's
 * time. Complete: the store changes only in {@code processEvent}, which keeps this index, so a name it does not know
 * is not stored.
 */
final class NameIndex {

    private final Map<Attribute, Set<AttributeSet>> byName = new ConcurrentHashMap<>();

    void add(AttributeSet key) {
        Attribute name = key.getAttribute(KubernetesAttributesExtractor.NAME);
        if (name != null) {
            byName.computeIfAbsent(name, n -> ConcurrentHashMap.newKeySet()).add(key);
        }
    }

    void remove(AttributeSet key) {
        Attribute name = key == null ? null : key.getAttribute(KubernetesAttributesExtractor.NAME);
        if (name != null) {
            byName.computeIfPresent(name, (n, keys) -> {
                keys.remove(key);
                return keys.isEmpty() ? null : keys;
            });
        }
    }

    void clear() {
        byName.clear();
    }

    /** The stored object that {@code query} (which names one) addresses, or {@code null} when this index has none. */
    Map.Entry<AttributeSet, String> find(AttributeSet query, Map<AttributeSet, String> store) {
        Attribute name = query.getAttribute(KubernetesAttributesExtractor.NAME);
        Set<AttributeSet> keys = name == null ? null : byName.get(name);
        if (keys == null) {
            return null;
        }
        for (AttributeSet key : keys) {
            if (key.matches(query)) {
                String value = store.get(key);
                if (value != null) {
                    return Map.entry(key, value);
                }
            }
        }
        return null;
    }
}
