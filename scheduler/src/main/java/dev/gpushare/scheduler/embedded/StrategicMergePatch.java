package dev.gpushare.scheduler.embedded;

import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A strategic merge patch turned into the JSON merge patch (RFC 7386) with the same effect on a given object, for
 * the kinds the embedded API holds: lists of objects with a merge key ({@code name}, {@code containerPort},
 * {@code type}) merge item by item (an item with {@code $patch: delete} is removed), every other list is
 * replaced, directives ({@code $setElementOrder/...}, {@code $retainKeys}) are dropped. kubectl's client-side
 * {@code apply} sends these for every change; the mock server refuses them (415).
 */
final class StrategicMergePatch {

    private static final List<String> MERGE_KEYS = List.of("name", "containerPort", "type");

    private StrategicMergePatch() {
    }

    /** The merge patch that does to {@code current} what {@code patch} does. */
    static JsonNode toMergePatch(JsonNode current, JsonNode patch) {
        if (!patch.isObject()) {
            return patch;
        }
        ObjectNode result = JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, JsonNode> field : patch.properties()) {
            String key = field.getKey();
            if (key.startsWith("$")) {
                continue;
            }
            JsonNode value = field.getValue();
            JsonNode existing = current == null ? null : current.get(key);
            if (value.isArray()) {
                result.set(key, mergeList(existing, (ArrayNode) value));
            } else if (value.isObject()) {
                result.set(key, toMergePatch(existing != null && existing.isObject() ? existing : null, value));
            } else {
                result.set(key, value);
            }
        }
        return result;
    }

    private static JsonNode mergeList(JsonNode existing, ArrayNode patch) {
        String mergeKey = mergeKey(patch);
        if (mergeKey == null || existing == null || !existing.isArray()) {
            ArrayNode replaced = JsonNodeFactory.instance.arrayNode();
            patch.forEach(item -> {
                if (!isDelete(item)) {
                    replaced.add(withoutDirectives(item));
                }
            });
            return replaced;
        }
        ArrayNode merged = JsonNodeFactory.instance.arrayNode();
        for (JsonNode item : existing) {
            JsonNode change = find(patch, mergeKey, item.path(mergeKey).asString());
            if (change == null) {
                merged.add(item);
            } else if (!isDelete(change)) {
                merged.add(applied(item, change));
            }
        }
        for (JsonNode change : patch) {
            if (!isDelete(change) && find(existing, mergeKey, change.path(mergeKey).asString()) == null) {
                merged.add(withoutDirectives(change));
            }
        }
        return merged;
    }

    /** {@code item} with {@code change} applied (the merge patch of the change, applied to a copy). */
    private static JsonNode applied(JsonNode item, JsonNode change) {
        JsonNode patch = toMergePatch(item, change);
        ObjectNode result = ((ObjectNode) item).deepCopy();
        for (Map.Entry<String, JsonNode> field : patch.properties()) {
            if (field.getValue().isNull()) {
                result.remove(field.getKey());
            } else if (field.getValue().isObject() && result.get(field.getKey()) instanceof ObjectNode nested) {
                result.set(field.getKey(), applied(nested, field.getValue()));
            } else {
                result.set(field.getKey(), field.getValue());
            }
        }
        return result;
    }

    private static String mergeKey(ArrayNode list) {
        for (String key : MERGE_KEYS) {
            boolean all = !list.isEmpty();
            for (JsonNode item : list) {
                all &= item.isObject() && item.has(key);
            }
            if (all) {
                return key;
            }
        }
        return null;
    }

    private static JsonNode find(JsonNode list, String key, String value) {
        for (JsonNode item : list) {
            if (item.isObject() && value.equals(item.path(key).asString())) {
                return item;
            }
        }
        return null;
    }

    private static boolean isDelete(JsonNode item) {
        return item.isObject() && "delete".equals(item.path("$patch").asString());
    }

    private static JsonNode withoutDirectives(JsonNode item) {
        if (!item.isObject()) {
            return item;
        }
        ObjectNode copy = JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, JsonNode> field : item.properties()) {
            if (!field.getKey().startsWith("$")) {
                copy.set(field.getKey(), field.getValue().isObject() ? withoutDirectives(field.getValue())
                        : field.getValue());
            }
        }
        return copy;
    }
}
