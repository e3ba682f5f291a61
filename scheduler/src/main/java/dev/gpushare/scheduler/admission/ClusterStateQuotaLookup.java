package dev.gpushare.scheduler.admission;

import dev.gpushare.placement.NamespaceQuota;
import dev.gpushare.scheduler.state.ClusterState;
import dev.gpushare.webhook.QuotaHeadroom;
import dev.gpushare.webhook.QuotaLookup;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * The webhook's quota check reads the ledger that {@code /filter} uses (limits of the namespace's ResourceQuotas,
 * memory times {@code memoryFactor}, minus what its pods hold), so admission and scheduling judge a pod alike.
 *
 * <p>While the state is not synced (start-up, a follower replica) every namespace is unlimited here: a partial
 * ledger would undercount usage anyway, and {@code /filter} checks the quota again on a synced state, so the worst
 * case is a pod that stays Pending with a quota reason instead of being refused at creation.
 */
final class ClusterStateQuotaLookup implements QuotaLookup {

    private final ClusterState state;

    ClusterStateQuotaLookup(ClusterState state) {
        this.state = Objects.requireNonNull(state, "state");
    }

    @Override
    public QuotaHeadroom remaining(String namespace) {
        return state.quotaIfSynced(namespace)
                .map(quota -> new QuotaHeadroom(headroom(quota.memoryLimit(), quota.memoryUsed()),
                        headroom(quota.coresLimit(), quota.coresUsed())))
                .orElse(QuotaHeadroom.UNLIMITED);
    }

    /** {@link NamespaceQuota}'s rule: a limit of 0 or less is no limit. */
    private static OptionalLong headroom(long limit, long used) {
        return limit > 0 ? OptionalLong.of(limit - used) : OptionalLong.empty();
    }
}
