package dev.gpushare.placement;

import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Why one node cannot take the pod, kept typed until the answer is written: either one reason about the whole node
 * ({@code NodeRegistrationInvalid}, {@code node unregistered}, ...), or, per reason, how many of the node's GPUs
 * could not take a container. {@link #wireText()} renders HAMi's text once, at the edge.
 */
public sealed interface NodeRejection {

    /** The reasons given, each once. */
    Set<FailureReason> reasons();

    /** Whether preemption could make the node fit: some reason given is resolvable. */
    default boolean resolvable() {
        return reasons().stream().anyMatch(FailureReason::resolvable);
    }

    /** HAMi's text: the reason's name, or {@code n/m Reason, ...} sorted by reason name ({@code m} = GPUs). */
    String wireText();

    static NodeRejection of(FailureReason reason) {
        return new WholeNode(reason);
    }

    /** One reason about the whole node. */
    record WholeNode(FailureReason reason) implements NodeRejection {
        public WholeNode {
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public Set<FailureReason> reasons() {
            return Set.of(reason);
        }

        @Override
        public String wireText() {
            return reason.wireName();
        }
    }

    /**
     * Per reason, how many of the node's {@code cards} GPUs it rejected.
     *
     * @param counts reason to GPUs, every count positive
     */
    record Cards(Map<FailureReason, Integer> counts, int cards) implements NodeRejection {

        private static final FailureReason[] BY_NAME = Arrays.stream(FailureReason.values())
                .sorted(Comparator.comparing(FailureReason::wireName))
                .toArray(FailureReason[]::new);

        public Cards {
            EnumMap<FailureReason, Integer> copy = new EnumMap<>(FailureReason.class);
            copy.putAll(counts);
            counts = Collections.unmodifiableMap(copy);
        }

        @Override
        public Set<FailureReason> reasons() {
            return counts.keySet();
        }

        @Override
        public String wireText() {
            StringBuilder text = new StringBuilder();
            for (FailureReason reason : BY_NAME) {
                Integer n = counts.get(reason);
                if (n != null) {
                    if (text.length() > 0) {
                        text.append(", ");
                    }
                    text.append(n).append('/').append(cards).append(' ').append(reason.wireName());
                }
            }
            return text.toString();
        }
    }
}
