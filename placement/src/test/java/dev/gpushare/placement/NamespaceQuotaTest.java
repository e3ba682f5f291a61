package dev.gpushare.placement;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The one quota rule: a limit of 0 or less is none; otherwise what is held plus the request must stay within it. */
class NamespaceQuotaTest {

    @Test
    void aLimitOfZeroOrLessIsNoLimit() {
        NamespaceQuota none = new NamespaceQuota(0, 9000, -1, 900);

        assertThat(none.limitsMemory()).isFalse();
        assertThat(none.limitsCores()).isFalse();
        assertThat(none.memoryLeft()).isEmpty();
        assertThat(none.coresLeft()).isEmpty();
        assertThat(none.admits(Long.MAX_VALUE / 2, 1000)).isTrue();
    }

    @Test
    void whatIsLeftIsTheLimitMinusWhatIsHeldAndTheRequestMustFitIt() {
        NamespaceQuota quota = new NamespaceQuota(6000, 2000, 150, 30);

        assertThat(quota.memoryLeft()).isEqualTo(OptionalLong.of(4000));
        assertThat(quota.coresLeft()).isEqualTo(OptionalLong.of(120));
        assertThat(quota.admits(4000, 120)).isTrue();
        assertThat(quota.admits(4001, 0)).isFalse();
        assertThat(quota.admits(0, 121)).isFalse();
    }

    @Test
    void aNamespaceOverItsLimitHasANegativeRestAndAdmitsNothingMore() {
        NamespaceQuota over = new NamespaceQuota(1000, 1500, 0, 0);

        assertThat(over.memoryLeft()).isEqualTo(OptionalLong.of(-500));
        assertThat(over.admits(1, 0)).isFalse();
        assertThat(over.admits(0, 50)).isFalse();
    }
}
