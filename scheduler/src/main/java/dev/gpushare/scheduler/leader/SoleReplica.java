package dev.gpushare.scheduler.leader;

import java.time.Instant;
import java.util.function.Consumer;

/** {@code hami.leader-election.mode=none}: one replica, leader from start to stop. */
public final class SoleReplica implements LeaseSource {

    private final String identity;

    public SoleReplica(String identity) {
        this.identity = identity;
    }

    @Override
    public void start(Consumer<LeaseStatus> listener) {
        listener.accept(LeaseStatus.ours(identity, Instant.MAX));
    }

    @Override
    public void close() {
        // Nothing is held outside this process.
    }

    @Override
    public String describe() {
        return "no lease (leader election off)";
    }
}
