package dev.gpushare.scheduler.leader;

/** Whether a verb may work now: within which leadership term, or why not. */
public sealed interface Admission {

    /** This replica leads and its ledger is synced for {@code term}. */
    record Serving(long term) implements Admission {
    }

    /** The verb must answer an error with this reason. */
    record Refused(String reason) implements Admission {
    }
}
