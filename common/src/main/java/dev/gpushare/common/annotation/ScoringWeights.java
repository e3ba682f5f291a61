package dev.gpushare.common.annotation;

import java.util.HashSet;
import java.util.Set;

/**
 * The pod annotation {@code hami.io/device-scoring-weights} (HAMi v2.10): how much the slot, core and memory terms of
 * a GPU's score count, as {@code slot=1,core=1,memory=3}. Read as HAMi's {@code ParseDeviceScoringWeights} reads
 * it: exactly three {@code key=value} entries, each of {@code slot}, {@code core} and {@code memory} once (keys and
 * values trimmed), values non-negative decimal int64, at least one positive. An absent annotation is {@link #EQUAL}.
 */
public record ScoringWeights(long slot, long core, long memory) {

    /** HAMi's score before v2.10: every term counts once. */
    public static final ScoringWeights EQUAL = new ScoringWeights(1, 1, 1);

    /** The weights of an annotation value; {@code null} (no annotation) is {@link #EQUAL}. */
    public static ScoringWeights parse(String value) throws MalformedAnnotationException {
        if (value == null) {
            return EQUAL;
        }
        String[] parts = value.split(",", -1);
        if (parts.length != 3) {
            throw invalid(value, "expected slot, core and memory weights");
        }
        long slot = 0;
        long core = 0;
        long memory = 0;
        Set<String> seen = new HashSet<>();
        for (String part : parts) {
            String entry = part.trim();
            int eq = entry.indexOf('=');
            if (eq < 0) {
                throw invalid(value, "expected key=value entries");
            }
            String key = entry.substring(0, eq).trim();
            if (!seen.add(key)) {
                throw invalid(value, "duplicate " + Excerpt.of(key) + " weight");
            }
            long weight = weight(value, key, entry.substring(eq + 1).trim());
            switch (key) {
                case "slot" -> slot = weight;
                case "core" -> core = weight;
                case "memory" -> memory = weight;
                default -> throw invalid(value, "unknown weight " + Excerpt.of(key) + " (slot, core or memory)");
            }
        }
        if (slot == 0 && core == 0 && memory == 0) {
            throw invalid(value, "at least one weight must be positive");
        }
        return new ScoringWeights(slot, core, memory);
    }

    /** Go's {@code strconv.ParseInt(s, 10, 64)}: an optional sign, decimal digits, within int64. */
    private static long weight(String value, String key, String text) throws MalformedAnnotationException {
        long weight;
        try {
            if (!text.matches("[+-]?[0-9]{1,19}")) {
                throw new NumberFormatException();
            }
            weight = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw invalid(value, Excerpt.of(key) + " weight must be an integer");
        }
        if (weight < 0) {
            throw invalid(value, Excerpt.of(key) + " weight must not be negative");
        }
        return weight;
    }

    private static MalformedAnnotationException invalid(String value, String problem) {
        return new MalformedAnnotationException("annotation " + HamiKeys.DEVICE_SCORING_WEIGHTS + ": "
                + Excerpt.of(value) + ": " + problem);
    }
}
