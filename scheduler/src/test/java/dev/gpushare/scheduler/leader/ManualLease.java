package dev.gpushare.scheduler.leader;

import java.util.function.Consumer;

/** A hand-written {@link LeaseSource} the test drives: it reports what the test pushes. */
final class ManualLease implements LeaseSource {

    private volatile Consumer<LeaseStatus> listener;
    volatile boolean closed;
    /** Runs when the lease is given up, before {@link #closed} is set. */
    volatile Runnable onClose = () -> { };

    void push(LeaseStatus status) {
        listener.accept(status);
    }

    @Override
    public void start(Consumer<LeaseStatus> listener) {
        this.listener = listener;
    }

    @Override
    public void close() {
        onClose.run();
        closed = true;
    }

    @Override
    public String describe() {
        return "lease test/manual";
    }
}
