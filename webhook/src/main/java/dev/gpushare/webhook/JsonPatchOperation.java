package dev.gpushare.webhook;

import java.util.Objects;

import tools.jackson.databind.JsonNode;

/**
 * One RFC 6902 operation ({@code add} or {@code replace}: the only ones the mutator needs) with its value.
 *
 * @param op    {@code add} or {@code replace}
 * @param path  an RFC 6901 JSON pointer (build segments with {@link #escape})
 * @param value the JSON value
 */
public record JsonPatchOperation(String op, String path, JsonNode value) {

    public JsonPatchOperation {
        if (!"add".equals(op) && !"replace".equals(op)) {
            throw new IllegalArgumentException("unsupported op " + op);
        }
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(value, "value");
    }

    public static JsonPatchOperation add(String path, JsonNode value) {
        return new JsonPatchOperation("add", path, value);
    }

    public static JsonPatchOperation replace(String path, JsonNode value) {
        return new JsonPatchOperation("replace", path, value);
    }

    /** RFC 6901 escaping of one reference token: {@code ~} becomes {@code ~0}, {@code /} becomes {@code ~1}. */
    public static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }
}
