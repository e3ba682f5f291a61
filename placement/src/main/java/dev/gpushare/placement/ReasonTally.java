package dev.gpushare.placement;

import java.util.EnumMap;

/** Counts, per {@link FailureReason}, the GPUs of one node that could not take a container. */
final class ReasonTally {

    private static final FailureReason[] REASONS = FailureReason.values();

    private final int[] counts = new int[REASONS.length];

    void add(FailureReason reason, int cards) {
        counts[reason.ordinal()] += cards;
    }

    /** The rejection of a node with {@code cards} GPUs. */
    NodeRejection.Cards rejection(int cards) {
        EnumMap<FailureReason, Integer> byReason = new EnumMap<>(FailureReason.class);
        for (FailureReason reason : REASONS) {
            if (counts[reason.ordinal()] > 0) {
                byReason.put(reason, counts[reason.ordinal()]);
            }
        }
        return new NodeRejection.Cards(byReason, cards);
    }
}
