package dev.gpushare.scheduler.leader;

import java.time.Instant;
import java.util.Objects;

/**
 * What a {@link LeaseSource} last saw of the lease.
 *
 * @param holder who holds it ({@code holderIdentity}, empty when nobody does)
 * @param until  for a lease this replica holds, the instant its leadership lapses unless renewed; {@code null} when
 *               another replica (or nobody) holds it
 */
public record LeaseStatus(String holder, Instant until) {

    public LeaseStatus {
        Objects.requireNonNull(holder, "holder");
    }

    /** We hold it until {@code until}. */
    public static LeaseStatus ours(String holder, Instant until) {
        return new LeaseStatus(holder, Objects.requireNonNull(until, "until"));
    }

    /** Someone else holds it, or nobody ({@code holder} empty). */
    public static LeaseStatus notOurs(String holder) {
        return new LeaseStatus(holder == null ? "" : holder, null);
    }

    /** Whether this replica leads at {@code now}. */
    public boolean leadsAt(Instant now) {
        return until != null && now.isBefore(until);
    }
}
