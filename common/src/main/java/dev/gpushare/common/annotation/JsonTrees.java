package dev.gpushare.common.annotation;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reading JSON annotation values as trees, with Go's {@code encoding/json} strictness where it protects us
 * (trailing data is an error, integers must be exact) and typed errors instead of Jackson's unchecked ones.
 */
final class JsonTrees {

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private JsonTrees() {
    }

    static JsonNode read(String value, String what) throws MalformedAnnotationException {
        JsonNode tree;
        try {
            tree = MAPPER.readTree(value);
        } catch (JacksonException e) {
            throw new MalformedAnnotationException(what + " is not valid JSON: " + e.getOriginalMessage());
        }
        if (tree == null || tree.isMissingNode()) {
            throw new MalformedAnnotationException(what + " is empty");
        }
        return tree;
    }

    /** An exact integer within {@code [min, max]}; floats with a fraction, strings and overflows are errors. */
    static int integer(JsonNode node, long min, long max, String field) throws MalformedAnnotationException {
        Long value = null;
        if (node.isIntegralNumber()) {
            value = node.canConvertToLong() ? node.longValue() : null;
        } else if (node.isNumber()) {
            try {
                value = node.decimalValue().longValueExact();
            } catch (ArithmeticException notExact) {
                value = null;
            }
        }
        if (value == null || value < min || value > max) {
            throw new MalformedAnnotationException(field + ": expected an integer in [" + min + ", " + max
                    + "], got " + Excerpt.unquoted(node.toString()));
        }
        return (int) (long) value;
    }

    static String string(JsonNode node, String field) throws MalformedAnnotationException {
        if (!node.isString()) {
            throw new MalformedAnnotationException(field + ": expected a string, got "
                    + Excerpt.unquoted(node.toString()));
        }
        return node.stringValue();
    }

    static boolean bool(JsonNode node, String field) throws MalformedAnnotationException {
        if (!node.isBoolean()) {
            throw new MalformedAnnotationException(field + ": expected true or false, got "
                    + Excerpt.unquoted(node.toString()));
        }
        return node.booleanValue();
    }
}
