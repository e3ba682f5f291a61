package dev.gpushare.scheduler.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpushare.scheduler.support.LogLines;
import dev.gpushare.testkit.ManualClock;
import io.fabric8.kubernetes.client.informers.ExceptionHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.lang.reflect.Proxy;
import java.net.ConnectException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * The watchdog's state transitions on a hand-driven clock, with informers whose flags the test sets: a failed list
 * and a lost watch make the API unreachable, a watch again makes it reachable, the re-list hook runs only after an
 * outage of a synced informer, one log line per change; liveness fails only for a stopped informer. (The watchdog's
 * own timer runs too; what a check finds depends on the flags and the clock only, so its extra checks change
 * nothing.)
 */
class InformerWatchdogTest {

    private static final Instant T0 = Instant.parse("2026-12-01T12:00:00Z");

    /** The flags of an informer that the watchdog reads, and the exception handler it installs. */
    private static final class FakeInformer {
        volatile boolean watching;
        volatile boolean synced;
        final CompletableFuture<String> stopped = new CompletableFuture<>();
        volatile ExceptionHandler handler;

        @SuppressWarnings("unchecked")
        SharedIndexInformer<String> informer() {
            return (SharedIndexInformer<String>) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {SharedIndexInformer.class}, (proxy, method, args) -> switch (method.getName()) {
                        case "isWatching" -> watching;
                        case "hasSynced" -> synced;
                        case "stopped" -> stopped;
                        case "exceptionHandler" -> {
                            handler = (ExceptionHandler) args[0];
                            yield proxy;
                        }
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        default -> throw new UnsupportedOperationException(method.getName());
                    });
        }

        /** fabric8 reports a failed list or watch; the answer is whether to retry. */
        boolean fail(String message) {
            return handler.retryAfterException(synced, new IllegalStateException("list failed",
                    new ConnectException(message)));
        }
    }

    private final ManualClock clock = new ManualClock(T0);
    private final ApiReachability reachability = new ApiReachability(clock);
    private final InformerWatchdog watchdog = new InformerWatchdog(reachability, clock);
    private final AtomicInteger relists = new AtomicInteger();
    private final LogLines log = LogLines.of(ApiReachability.class);

    @AfterEach
    void close() {
        log.close();
        watchdog.close();
    }

    private List<String> lines() {
        return log.lines();
    }

    private FakeInformer register(String part) {
        FakeInformer fake = new FakeInformer();
        watchdog.retrying(fake.informer(), part, relists::incrementAndGet);
        return fake;
    }

    @Test
    void aListFailingAtStartUpIsRetriedAndReportedUntilTheInformerWatches() {
        FakeInformer pods = register("informer pods");
        for (int retry = 0; retry < 4; retry++) {
            assertThat(pods.fail("Connection refused")).as("retry").isTrue();
            clock.advance(Duration.ofSeconds(1L << retry));
            watchdog.check();
        }
        assertThat(reachability.status().failing()).isEqualTo(Map.of("informer pods",
                new ApiReachability.Failure(T0, "ConnectException: Connection refused")));

        pods.synced = true;
        pods.watching = true;
        watchdog.check();
        assertThat(reachability.status().reachable()).isTrue();
        assertThat(relists).as("its first list is a full one anyway").hasValue(0);
        assertThat(lines()).containsExactly("WARN kubernetes API unreachable since 2026-12-01T12:00:00Z (informer"
                + " pods: ConnectException: Connection refused); retrying with backoff, not ready meanwhile",
                "INFO kubernetes API reachable again (unreachable for 15s)");
    }

    @Test
    void aWatchLostForFiveSecondsIsAnOutageAndTheInformerRelistsOnceItWatchesAgain() {
        FakeInformer nodes = register("informer nodes");
        nodes.synced = true;
        nodes.watching = true;
        watchdog.check();

        nodes.watching = false;
        watchdog.check();
        clock.advance(Duration.ofMillis(4999));
        watchdog.check();
        assertThat(reachability.status().reachable()).as("a routine re-watch").isTrue();
        clock.advance(Duration.ofMillis(1));
        watchdog.check();
        watchdog.check();
        assertThat(reachability.status().failing()).isEqualTo(Map.of("informer nodes",
                new ApiReachability.Failure(T0.plusSeconds(5), "watch lost for 5s; reconnecting")));

        clock.advance(Duration.ofSeconds(20));
        watchdog.check();
        nodes.watching = true;
        watchdog.check();
        watchdog.check();
        assertThat(reachability.status().reachable()).isTrue();
        assertThat(relists).as("a resumed watch may have missed deletions").hasValue(1);
        assertThat(lines()).containsExactly("WARN kubernetes API unreachable since 2026-12-01T12:00:05Z (informer"
                + " nodes: watch lost for 5s; reconnecting); retrying with backoff, not ready meanwhile",
                "INFO kubernetes API reachable again (unreachable for 20s)");
    }

    @Test
    void aShortGapInTheWatchIsNoOutageAndAnInformerThatNeverWatchedCannotLoseItsWatch() {
        FakeInformer pods = register("informer pods");
        FakeInformer quotas = register("informer resourcequotas");
        pods.synced = true;
        pods.watching = true;
        watchdog.check();
        for (int gap = 0; gap < 3; gap++) {
            pods.watching = false;
            watchdog.check();
            clock.advance(Duration.ofSeconds(4));
            watchdog.check();
            pods.watching = true;
            watchdog.check();
        }
        clock.advance(Duration.ofMinutes(5));
        watchdog.check();
        assertThat(quotas.watching).isFalse();
        assertThat(reachability.status().reachable()).isTrue();
        assertThat(relists).hasValue(0);
        assertThat(lines()).isEmpty();
    }

    @Test
    void aFailureAfterTheInformerSyncedRelistsOnRecoveryAndForgettingAPartClearsItsFailure() {
        FakeInformer pods = register("informer pods");
        FakeInformer lease = register("lease");
        pods.synced = true;
        pods.watching = true;
        lease.synced = true;
        watchdog.check();

        pods.watching = false;
        pods.fail("Connection reset");
        lease.fail("Connection reset");
        clock.advance(Duration.ofSeconds(3));
        pods.watching = true;
        watchdog.check();
        assertThat(relists).hasValue(1);
        assertThat(reachability.status().failing()).containsOnlyKeys("lease");

        watchdog.forget("lease");
        assertThat(reachability.status().reachable()).isTrue();
        assertThat(lines()).hasSize(2).last().isEqualTo("INFO kubernetes API reachable again (unreachable for 3s)");
    }

    @Test
    void livenessFailsOnlyForAStoppedInformerAndNamesIt() {
        FakeInformer pods = register("informer pods");
        FakeInformer nodes = register("informer nodes");
        HealthIndicator liveness = new HealthConfiguration().informersHealthIndicator(watchdog);
        pods.fail("Connection refused");
        assertThat(liveness.health()).as("an outage is recovered from").isEqualTo(Health.up().build());

        nodes.stopped.complete("closed");
        Health down = liveness.health();
        assertThat(down.getStatus()).isEqualTo(Status.DOWN);
        assertThat(down.getDetails()).isEqualTo(Map.of("reason",
                "informer nodes has stopped and does not restart by itself"));
        assertThat(watchdog.stopped()).contains("informer nodes");
    }
}
