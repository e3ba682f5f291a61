package dev.gpushare.scheduler.embedded;

import dev.gpushare.testkit.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SchedulingQueueTest {

    private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final SchedulingQueue<String> queue =
            new SchedulingQueue<>(clock, Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofMinutes(5));

    @Test
    void podsComeOutInArrivalOrderAndOnlyOnce() {
        queue.add("a");
        queue.add("b");
        queue.add("a");

        assertThat(queue.poll()).contains("a");
        assertThat(queue.poll()).contains("b");
        assertThat(queue.poll()).isEmpty();
    }

    @Test
    void backOffDoublesFromOneSecondUpToTenSeconds() {
        List<Duration> backoffs = new ArrayList<>();
        for (int attempt = 1; attempt <= 6; attempt++) {
            backoffs.add(queue.backoff(attempt));
        }
        assertThat(backoffs).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4),
                Duration.ofSeconds(8), Duration.ofSeconds(10), Duration.ofSeconds(10));
    }

    @Test
    void anErrorIsRetriedWhenItsBackOffIsOver() {
        queue.add("a");
        assertThat(queue.poll()).contains("a");
        queue.error("a");

        clock.advance(Duration.ofMillis(999));
        assertThat(queue.poll()).isEmpty();
        clock.advance(Duration.ofMillis(1));
        assertThat(queue.poll()).contains("a");

        queue.error("a");
        clock.advance(Duration.ofMillis(1999));
        assertThat(queue.poll()).isEmpty();
        clock.advance(Duration.ofMillis(1));
        assertThat(queue.poll()).contains("a");
    }

    @Test
    void anUnschedulablePodWaitsForAClusterChangeNotForItsBackOff() {
        queue.add("a");
        assertThat(queue.poll()).contains("a");
        queue.unschedulable("a");

        clock.advance(Duration.ofSeconds(30));
        assertThat(queue.poll()).as("nothing changed: no retry").isEmpty();

        queue.clusterChanged();
        assertThat(queue.poll()).contains("a");
    }

    @Test
    void aClusterChangeDuringTheBackOffRetriesWhenTheBackOffIsOver() {
        queue.add("a");
        queue.poll();
        queue.unschedulable("a");
        clock.advance(Duration.ofMillis(500));

        queue.clusterChanged();
        assertThat(queue.poll()).isEmpty();
        clock.advance(Duration.ofMillis(500));
        assertThat(queue.poll()).contains("a");
    }

    @Test
    void aClusterChangeWhileThePodWasTriedSendsItToBackOffInsteadOfWaiting() {
        queue.add("a");
        queue.poll();
        queue.clusterChanged();
        queue.unschedulable("a");

        clock.advance(Duration.ofSeconds(1));
        assertThat(queue.poll()).as("the change may have made it fit").contains("a");
    }

    @Test
    void anUnschedulablePodIsRetriedAfterFiveMinutesEvenIfNothingChanged() {
        queue.add("a");
        queue.poll();
        queue.unschedulable("a");

        clock.advance(Duration.ofMinutes(5).minusSeconds(1));
        assertThat(queue.poll()).isEmpty();
        clock.advance(Duration.ofSeconds(1));
        assertThat(queue.poll()).contains("a");
    }

    @Test
    void anUpdatedUnschedulablePodIsRetriedAndARemovedOneIsForgotten() {
        queue.add("a");
        queue.add("b");
        queue.poll();
        queue.poll();
        queue.unschedulable("a");
        queue.unschedulable("b");
        clock.advance(Duration.ofSeconds(1));

        queue.updated("a");
        queue.remove("b");
        queue.clusterChanged();

        assertThat(queue.poll()).contains("a");
        assertThat(queue.poll()).isEmpty();
        assertThat(queue.waiting()).isZero();
    }

    @Test
    void takeReturnsAPodAddedWhileItWaits() throws Exception {
        Thread adder = new Thread(() -> queue.add("late"));
        adder.start();
        Optional<String> taken = queue.take(Duration.ofSeconds(10));
        adder.join();
        assertThat(taken).contains("late");
    }
}
