package dev.gpushare.placement;

import dev.gpushare.common.annotation.Excerpt;
import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.common.annotation.MalformedAnnotationException;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * How the node is chosen among the nodes that fit ({@code hami.io/node-scheduler-policy}, spec 4.4). HAMi v2.10
 * compares this annotation as a whole (no comma lists, unlike {@code hami.io/gpu-scheduler-policy}).
 */
public enum NodePolicy {
    /** The node with the highest node score (the most used one). */
    BINPACK("binpack"),
    /** The node with the lowest node score (the least used one). */
    SPREAD("spread");

    private final String value;

    NodePolicy(String value) {
        this.value = value;
    }

    /** The annotation and configuration value. */
    public String value() {
        return value;
    }

    /** The policy named exactly {@code value}, or empty for anything else (no case folding, no fallback). */
    public static Optional<NodePolicy> fromValue(String value) {
        for (NodePolicy p : values()) {
            if (p.value.equals(value)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /**
     * Reads an annotation value: one policy exactly (no case folding), blanks around it ignored. The one parser of
     * the annotation: the webhook and placement both call it.
     *
     * @throws MalformedAnnotationException naming the annotation and the value
     */
    public static NodePolicy parse(String value) throws MalformedAnnotationException {
        return fromValue(value.trim()).orElseThrow(() -> new MalformedAnnotationException("annotation "
                + HamiKeys.NODE_SCHEDULER_POLICY + ": " + Excerpt.of(value) + " is not one of "
                + Arrays.stream(values()).map(NodePolicy::value).collect(Collectors.joining(", "))));
    }
}
