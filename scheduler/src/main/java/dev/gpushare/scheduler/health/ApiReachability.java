package dev.gpushare.scheduler.health;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the Kubernetes API answers, as the parts that talk to it all the time see it: the informers (which retry
 * with fabric8's exponential backoff, 1 s doubling to 32 s) and the leader election. Each part reports its failures
 * and its recoveries; this keeps who is failing since when, and logs one line when the API becomes unreachable and
 * one when it is back, never one per retry. Thread-safe.
 */
public final class ApiReachability {

    private static final Logger log = LoggerFactory.getLogger(ApiReachability.class);
    private static final int MAX_ERROR = 200;

    /** One part's failure: since when, and the last error. */
    public record Failure(Instant since, String error) {
    }

    /** What {@code /readyz} shows: empty {@code failing} means reachable. */
    public record Status(Optional<Instant> unreachableSince, Map<String, Failure> failing) {
        public boolean reachable() {
            return failing.isEmpty();
        }
    }

    private final Clock clock;
    private final Map<String, Failure> failing = new TreeMap<>();
    /** When the current outage began (the first part's failure), null while reachable. */
    private Instant outageSince;

    public ApiReachability(Clock clock) {
        this.clock = clock;
    }

    /** {@code part} (e.g. {@code informer pods}) could not reach the API. */
    public void failed(String part, Throwable error) {
        failed(part, describe(error));
    }

    /** {@code part} could not reach the API, for {@code message} (one line, already cut short). */
    public void failed(String part, String message) {
        Instant now = clock.instant();
        boolean first;
        synchronized (this) {
            first = failing.isEmpty();
            if (first) {
                outageSince = now;
            }
            Failure before = failing.get(part);
            failing.put(part, new Failure(before == null ? now : before.since(), message));
        }
        if (first) {
            log.warn("kubernetes API unreachable since {} ({}: {}); retrying with backoff, not ready meanwhile", now,
                    part, message);
        }
    }

    /** {@code part} works again (a watch is established, a request answered). */
    public void recovered(String part) {
        Instant since = null;
        boolean last;
        synchronized (this) {
            Failure before = failing.remove(part);
            last = before != null && failing.isEmpty();
            if (last) {
                since = outageSince;
                outageSince = null;
            }
        }
        if (last) {
            log.info("kubernetes API reachable again (unreachable for {}s)",
                    Duration.between(since, clock.instant()).toSeconds());
        }
    }

    public synchronized Status status() {
        Optional<Instant> since = failing.values().stream().map(Failure::since).min(Instant::compareTo);
        return new Status(since, Map.copyOf(failing));
    }

    /** The innermost message, one line, cut short: it reaches a log line and a probe body. */
    public static String describe(Throwable error) {
        Throwable cause = error;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String text = cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && out.length() < MAX_ERROR; i++) {
            char c = text.charAt(i);
            out.append(c < 0x20 || c == 0x7f ? ' ' : c);
        }
        return text.length() > MAX_ERROR ? out + "..." : out.toString();
    }
}
