package dev.gpushare.scheduler.admission;

import dev.gpushare.scheduler.state.ClusterState;
import dev.gpushare.webhook.QuotaHeadroom;
import dev.gpushare.webhook.QuotaLookup;
import java.util.Objects;

/**
 * The webhook's quota check reads the ledger that {@code /filter} uses (limits of the namespace's ResourceQuotas,
 * memory times {@code memoryFactor}, minus what its pods hold), so admission and scheduling judge a pod alike.
 *
 * <p>While the state is not synced (start-up, a follower replica, the leader rebuilding after a failover) the answer
 * is {@link QuotaHeadroom.Unknown}: the webhook admits the pod and tells the user, in an AdmissionReview warning,
 * that the quota was not checked. A partial ledger would undercount usage, and refusing every GPU pod while no
 * replica is synced would block pod creation; {@code /filter} checks the quota again on a synced state, so the
 * worst case is a pod that stays Pending with a quota reason instead of being refused at creation.
 */
final class ClusterStateQuotaLookup implements QuotaLookup {

    /** Why the quota was not checked, in the user's warning (fixed: no request value in it). */
    static final String NOT_SYNCED = "this scheduler replica is a follower or has not synced its ledger yet";

    private static final QuotaHeadroom UNKNOWN = new QuotaHeadroom.Unknown(NOT_SYNCED);

    private final ClusterState state;

    ClusterStateQuotaLookup(ClusterState state) {
        this.state = Objects.requireNonNull(state, "state");
    }

    @Override
    public QuotaHeadroom remaining(String namespace) {
        return state.quotaIfSynced(namespace)
                .<QuotaHeadroom>map(quota -> new QuotaHeadroom.Known(quota.memoryLeft(), quota.coresLeft()))
                .orElse(UNKNOWN);
    }
}
