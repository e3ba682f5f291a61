package dev.gpushare.scheduler.leader;

/** Leadership transitions for tests of the verbs, without a lease. */
public final class Terms {

    private Terms() {
    }

    /** This replica now leads with a synced ledger; returns the term. */
    public static long lead(Leadership leadership) {
        long term = leadership.begin(leadership.identity());
        leadership.markSynced(term);
        return term;
    }

    /** Another replica took over. */
    public static void lose(Leadership leadership, String holder) {
        leadership.end(holder);
    }
}
