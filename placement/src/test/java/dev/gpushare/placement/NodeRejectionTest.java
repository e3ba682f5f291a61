package dev.gpushare.placement;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which rejections preemption could resolve, and the text each one gets on the wire. */
class NodeRejectionTest {

    private static final Set<FailureReason> UNRESOLVABLE = EnumSet.of(FailureReason.NODE_UNREGISTERED,
            FailureReason.NODE_REGISTRATION_INVALID, FailureReason.NODE_DRIVER_UPGRADING,
            FailureReason.NODE_INSUFFICIENT_DEVICE, FailureReason.CARD_TYPE_MISMATCH,
            FailureReason.CARD_UUID_MISMATCH, FailureReason.CARD_CORDONED);

    @Test
    void exactlyTheReasonsNoEvictionCanChangeAreUnresolvable() {
        Arrays.stream(FailureReason.values()).forEach(reason -> assertThat(reason.resolvable())
                .as(reason.wireName()).isEqualTo(!UNRESOLVABLE.contains(reason)));
    }

    @Test
    void aNodeIsResolvableWhenAnyOfItsGpusFailedForAResolvableReason() {
        NodeRejection mismatchOnly = new NodeRejection.Cards(Map.of(FailureReason.CARD_TYPE_MISMATCH, 4), 4);
        NodeRejection mixed = new NodeRejection.Cards(Map.of(FailureReason.CARD_TYPE_MISMATCH, 2,
                FailureReason.CARD_INSUFFICIENT_MEMORY, 2), 4);

        assertThat(mismatchOnly.resolvable()).isFalse();
        assertThat(mixed.resolvable()).isTrue();
        assertThat(NodeRejection.of(FailureReason.NODE_UNREGISTERED).resolvable()).isFalse();
    }

    @Test
    void theWireTextIsHamisSortedByReasonName() {
        assertThat(new NodeRejection.Cards(Map.of(FailureReason.CARD_TYPE_MISMATCH, 2,
                FailureReason.CARD_INSUFFICIENT_MEMORY, 1, FailureReason.CARD_NOT_HEALTH, 1), 4).wireText())
                .isEqualTo("1/4 CardInsufficientMemory, 1/4 CardNotHealth, 2/4 CardTypeMismatch");
        assertThat(NodeRejection.of(FailureReason.NODE_UNREGISTERED).wireText()).isEqualTo("node unregistered");
        assertThat(NodeRejection.of(FailureReason.NODE_DRIVER_UPGRADING).wireText()).isEqualTo("NodeDriverUpgrading");
    }
}
