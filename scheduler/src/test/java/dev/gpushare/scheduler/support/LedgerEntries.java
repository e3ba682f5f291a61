package dev.gpushare.scheduler.support;

import dev.gpushare.scheduler.state.ClusterState;
import dev.gpushare.scheduler.state.PodEntry;
import java.util.Optional;

/** The ledger's entry of one pod, as the tests look it up (the state itself has no such query: no verb needs one). */
public final class LedgerEntries {

    private LedgerEntries() {
    }

    public static Optional<PodEntry> of(ClusterState state, String uid) {
        return state.entries().stream().filter(entry -> entry.uid().equals(uid)).findFirst();
    }
}
