package dev.gpushare.scheduler.health;

import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps informers alive through API outages. fabric8 stops an informer for good when its first list fails, and
 * logs a warning per retry otherwise; an informer registered here retries every failed list with fabric8's backoff
 * (1 s doubling to 32 s) and reports the failure to {@link ApiReachability}. A watch that breaks later is
 * reconnected by fabric8 silently: an informer that watched and has not been watching for {@link #LOST} (as the
 * checks see it) is reported failing too. Once it watches again it is reported recovered, and when it had been synced before, its
 * {@code outageOver} hook runs (a resumed watch may miss deletions, so the owner re-lists). The check looks at a
 * flag once a second, no API call.
 */
public final class InformerWatchdog implements AutoCloseable {

    static final Duration CHECK = Duration.ofSeconds(1);
    /** Time without a watch after which an informer counts as cut off (a routine re-watch takes far less). */
    static final Duration LOST = Duration.ofSeconds(5);

    private record Watched(SharedIndexInformer<?> informer, Runnable outageOver) {
    }

    private final ApiReachability reachability;
    private final Clock clock;
    private final Map<String, Watched> watched = new ConcurrentHashMap<>();
    /** Parts that failed and have not been seen watching since: whether they had been synced before. */
    private final Map<String, Boolean> failing = new ConcurrentHashMap<>();
    /** Since when a check has found an informer that watched before without a watch. */
    private final Map<String, Instant> unwatched = new ConcurrentHashMap<>();
    /**
     * Parts seen watching since they were registered: only those can lose their watch (right after the first list
     * the watch is still being set up, which takes long on a loaded machine).
     */
    private final Map<String, Boolean> watchedOnce = new ConcurrentHashMap<>();
    private ScheduledExecutorService timer;

    public ApiReachability reachability() {
        return reachability;
    }

    public InformerWatchdog(ApiReachability reachability, Clock clock) {
        this.reachability = reachability;
        this.clock = clock;
    }

    /**
     * Registers {@code informer} (not started yet) as {@code part} ({@code informer pods}); {@code outageOver} runs
     * on the watchdog's thread after it recovered from a failure that began once it was synced.
     */
    public synchronized <T> SharedIndexInformer<T> retrying(SharedIndexInformer<T> informer, String part,
                                                            Runnable outageOver) {
        watched.put(part, new Watched(informer, outageOver));
        watchedOnce.remove(part);
        unwatched.remove(part);
        if (timer == null) {
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread thread = new Thread(r, "informer-watchdog");
                thread.setDaemon(true);
                return thread;
            });
            timer.scheduleWithFixedDelay(this::check, CHECK.toMillis(), CHECK.toMillis(), TimeUnit.MILLISECONDS);
        }
        return informer.exceptionHandler((started, error) -> {
            Watched current = watched.get(part);
            if (current != null && current.informer() == informer) {
                failing.merge(part, informer.hasSynced(), Boolean::logicalOr);
                reachability.failed(part, ApiReachability.describe(error));
            }
            return true;
        });
    }

    /** Forgets {@code part}, e.g. before its informer is closed; a failure it reported is cleared. */
    public void forget(String part) {
        watched.remove(part);
        unwatched.remove(part);
        watchedOnce.remove(part);
        if (failing.remove(part) != null) {
            reachability.recovered(part);
        }
    }

    /** Runs every {@link #CHECK}; what it finds depends on the informers' flags and the clock only. */
    void check() {
        Instant now = clock.instant();
        watched.forEach((part, w) -> {
            if (w.informer().isWatching()) {
                watchedOnce.put(part, true);
                unwatched.remove(part);
                Boolean wasSynced = failing.remove(part);
                if (wasSynced != null) {
                    reachability.recovered(part);
                    if (wasSynced) {
                        runHook(part, w);
                    }
                }
            } else if (watchedOnce.containsKey(part) && !failing.containsKey(part)
                    && !unwatched.computeIfAbsent(part, p -> now).plus(LOST).isAfter(now)
                    && failing.putIfAbsent(part, true) == null) {
                reachability.failed(part, "watch lost for " + LOST.toSeconds() + "s; reconnecting");
            }
        });
    }

    private static void runHook(String part, Watched w) {
        try {
            w.outageOver().run();
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(InformerWatchdog.class).error("after {} recovered", part, e);
        }
    }

    /** A registered informer that has stopped: it never restarts by itself. */
    public Optional<String> stopped() {
        return watched.entrySet().stream()
                .filter(e -> e.getValue().informer().stopped().toCompletableFuture().isDone())
                .map(Map.Entry::getKey).sorted().findFirst();
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }
}
