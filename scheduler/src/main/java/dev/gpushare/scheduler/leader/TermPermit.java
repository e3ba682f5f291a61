package dev.gpushare.scheduler.leader;

/**
 * A verb's writes to the API within one leadership term (see {@link Leadership#enter}). While permits are open a
 * shutdown waits before it gives the lease away, so the next leader never rebuilds while we are still writing.
 */
public final class TermPermit implements AutoCloseable {

    private final Leadership leadership;
    private final boolean held;
    private boolean closed;

    TermPermit(Leadership leadership, boolean held) {
        this.leadership = leadership;
        this.held = held;
    }

    /** Whether the term was still being served when the permit was asked for; if not, the verb must not write. */
    public boolean held() {
        return held;
    }

    @Override
    public void close() {
        if (held && !closed) {
            closed = true;
            leadership.leave();
        }
    }
}
