package dev.gpushare.placement;

import java.util.Optional;

/** How the node is chosen among the nodes that fit ({@code hami.io/node-scheduler-policy}, spec 4.4). */
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
}
