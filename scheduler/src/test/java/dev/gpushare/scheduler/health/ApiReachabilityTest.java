package dev.gpushare.scheduler.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpushare.scheduler.support.LogLines;
import dev.gpushare.testkit.ManualClock;
import java.net.ConnectException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * The API's reachability as the informers and the elector report it, on a hand-driven clock: who fails since when,
 * one log line when the API goes and one when it is back (never one per retry), and the {@code kubernetes}
 * readiness contributor's texts.
 */
class ApiReachabilityTest {

    private static final Instant T0 = Instant.parse("2026-12-01T12:00:00Z");

    private final ManualClock clock = new ManualClock(T0);
    private final ApiReachability reachability = new ApiReachability(clock);
    private final ApiReadiness readiness = new ApiReadiness(reachability);
    private final LogLines log = LogLines.of(ApiReachability.class);

    @AfterEach
    void releaseLog() {
        log.close();
    }

    private List<String> lines() {
        return log.lines();
    }

    @Test
    void reachableUntilAPartFailsThenUnreachableSinceTheFirstFailureUntilEveryPartRecovered() {
        assertThat(reachability.status().reachable()).isTrue();
        assertThat(reachability.status().unreachableSince()).isEmpty();
        assertThat(readiness.health()).isEqualTo(Health.up().build());

        reachability.failed("informer pods", "ConnectException: Connection refused");
        clock.advance(Duration.ofSeconds(2));
        reachability.failed("informer nodes", "ConnectException: Connection refused");
        clock.advance(Duration.ofSeconds(4));
        // a retry of the first part: its error is the latest, its start stays
        reachability.failed("informer pods", "SocketTimeoutException: timeout");

        ApiReachability.Status status = reachability.status();
        assertThat(status.reachable()).isFalse();
        assertThat(status.unreachableSince()).contains(T0);
        assertThat(status.failing()).isEqualTo(Map.of(
                "informer pods", new ApiReachability.Failure(T0, "SocketTimeoutException: timeout"),
                "informer nodes", new ApiReachability.Failure(T0.plusSeconds(2),
                        "ConnectException: Connection refused")));

        clock.advance(Duration.ofSeconds(10));
        reachability.recovered("informer pods");
        assertThat(reachability.status().unreachableSince()).as("the other part still fails")
                .contains(T0.plusSeconds(2));
        reachability.recovered("informer nodes");
        assertThat(reachability.status()).isEqualTo(new ApiReachability.Status(Optional.empty(), Map.of()));
        assertThat(readiness.health().getStatus()).isEqualTo(Status.UP);
        assertThat(lines()).as("the outage lasted from the first failure to the last recovery").last()
                .isEqualTo("INFO kubernetes API reachable again (unreachable for 16s)");
    }

    @Test
    void oneLineWhenTheApiGoesAndOneWhenItIsBackNotOnePerRetry() {
        for (int retry = 0; retry < 5; retry++) {
            reachability.failed("informer pods", "ConnectException: Connection refused");
            reachability.failed("leader election", "ConnectException: Connection refused");
            clock.advance(Duration.ofSeconds(8));
        }
        reachability.recovered("leader election");
        reachability.recovered("leader election");   // a second success report changes nothing
        reachability.recovered("informer pods");
        reachability.recovered("informer nodes");    // never failed

        assertThat(lines()).containsExactly(
                "WARN kubernetes API unreachable since 2026-12-01T12:00:00Z (informer pods: ConnectException:"
                        + " Connection refused); retrying with backoff, not ready meanwhile",
                "INFO kubernetes API reachable again (unreachable for 40s)");

        clock.advance(Duration.ofMinutes(1));
        reachability.failed("informer nodes", "ConnectException: Connection refused");
        assertThat(lines()).hasSize(3).last().isEqualTo("WARN kubernetes API unreachable since"
                + " 2026-12-01T12:01:40Z (informer nodes: ConnectException: Connection refused); retrying with"
                + " backoff, not ready meanwhile");
    }

    @Test
    void readinessSaysSinceWhenAndWhichPartFailsWithWhichError() {
        reachability.failed("informer pods", new IllegalStateException("list failed",
                new ConnectException("Connection refused")));
        clock.advance(Duration.ofSeconds(3));
        reachability.failed("leader election", "KubernetesClientException: 503 Service Unavailable");

        Health health = readiness.health();
        assertThat(health.getStatus()).isEqualTo(Status.DOWN);
        assertThat(health.getDetails()).isEqualTo(Map.of(
                "reason", "kubernetes API unreachable since 2026-12-01T12:00:00Z",
                "failing", Map.of(
                        "informer pods", "ConnectException: Connection refused (since 2026-12-01T12:00:00Z)",
                        "leader election", "KubernetesClientException: 503 Service Unavailable (since"
                                + " 2026-12-01T12:00:03Z)")));
    }

    @Test
    void anErrorReachesLogAndProbeAsOneShortLine() {
        assertThat(ApiReachability.describe(new RuntimeException("outer", new ConnectException(null))))
                .isEqualTo("ConnectException");
        assertThat(ApiReachability.describe(new RuntimeException("line one\nline two\u001b[31m")))
                .isEqualTo("RuntimeException: line one line two [31m");
        String cut = ApiReachability.describe(new RuntimeException("x".repeat(500)));
        assertThat(cut).hasSize(203).startsWith("RuntimeException: xxx").endsWith("x...");
    }
}
