package dev.gpushare.placement;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Counts, per {@link FailureReason}, the GPUs of one node that could not take a container, and renders HAMi's
 * {@code n/m Reason} list ({@code m} = GPUs on the node) sorted by reason name so the text is stable.
 */
final class ReasonTally {

    private static final FailureReason[] BY_NAME = Arrays.stream(FailureReason.values())
            .sorted(Comparator.comparing(FailureReason::wireName))
            .toArray(FailureReason[]::new);

    private final int[] counts = new int[FailureReason.values().length];

    void add(FailureReason reason, int cards) {
        counts[reason.ordinal()] += cards;
    }

    String render(int cards) {
        StringBuilder text = new StringBuilder();
        for (FailureReason reason : BY_NAME) {
            int n = counts[reason.ordinal()];
            if (n > 0) {
                if (text.length() > 0) {
                    text.append(", ");
                }
                text.append(n).append('/').append(cards).append(' ').append(reason.wireName());
            }
        }
        return text.toString();
    }
}
