package dev.gpushare.placement;

import java.util.HashMap;
import java.util.Map;

/** Immutable copies of Kubernetes string maps (labels, annotations). */
final class StringMaps {

    private StringMaps() {
    }

    /**
     * A copy without null keys or values: a JSON {@code null} value reaches us as a null map value and means "not
     * set"; a null map means an empty one.
     */
    static Map<String, String> copyWithoutNulls(Map<String, String> map) {
        if (map == null) {
            return Map.of();
        }
        Map<String, String> copy = new HashMap<>();
        map.forEach((k, v) -> {
            if (k != null && v != null) {
                copy.put(k, v);
            }
        });
        return Map.copyOf(copy);
    }
}
