package dev.gpushare.scheduler.leader;

import java.util.function.Consumer;

/**
 * Where the leadership comes from ({@code hami.leader-election.mode}): tells its listener what it sees of the lease
 * whenever that may have changed. The listener applies the statuses in order and judges expiry itself, so a source
 * need not report the mere passing of time.
 */
public interface LeaseSource {

    /** Starts observing; the listener must not block. */
    void start(Consumer<LeaseStatus> listener);

    /** Stops observing; a source that holds the lease itself gives it up. */
    void close();

    /** For log lines and messages: {@code lease kube-system/hami-scheduler}. */
    String describe();
}
