package dev.gpushare.scheduler.leader;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The {@code leadership} contributor of the readiness groups ({@code /readyz} on the management and the extender
 * listeners). {@code hami.readiness.mode=leader}: UP only while this replica leads and its ledger is synced for the
 * current term, so only the leader receives traffic. {@code always}: UP while the process runs (GitOps tools flag
 * unready replicas); the details and the role label tell the leader apart.
 */
public final class LeadershipReadiness implements HealthIndicator {

    private final Leadership leadership;
    private final boolean leaderOnly;

    /** @param leaderOnly whether {@code hami.readiness.mode} is {@code leader} */
    public LeadershipReadiness(Leadership leadership, boolean leaderOnly) {
        this.leadership = leadership;
        this.leaderOnly = leaderOnly;
    }

    @Override
    public Health health() {
        Leadership.Status status = leadership.status();
        String role = status.synced() ? "leader" : status.leader() ? "leader-syncing" : "follower";
        Health.Builder health = leaderOnly && !status.synced() ? Health.outOfService() : Health.up();
        leadership.whyNotServing().ifPresent(reason -> health.withDetail("reason", reason));
        return health.withDetail("role", role).withDetail("term", status.term())
                .withDetail("identity", leadership.identity())
                .withDetail("holder", status.holder()).build();
    }
}
