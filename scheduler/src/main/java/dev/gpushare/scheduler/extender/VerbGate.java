package dev.gpushare.scheduler.extender;

import dev.gpushare.scheduler.leader.Admission;
import dev.gpushare.scheduler.leader.Leadership;
import java.time.Duration;

/**
 * The one place where a verb asks whether this replica may serve it. {@code /filter} waits up to the sync wait for
 * this replica to lead with a synced ledger; {@code /bind} is refused at once by a follower (the pod was filtered
 * elsewhere, or before a failover) and waits only while this replica leads but is still rebuilding.
 */
final class VerbGate {

    enum Verb { FILTER, BIND }

    private final Leadership leadership;
    private final Duration syncWait;

    VerbGate(Leadership leadership, Duration syncWait) {
        this.leadership = leadership;
        this.syncWait = syncWait;
    }

    Admission admit(Verb verb) throws InterruptedException {
        return switch (verb) {
            case FILTER -> leadership.awaitServing(syncWait);
            case BIND -> leadership.admitIfLeader(syncWait);
        };
    }
}
