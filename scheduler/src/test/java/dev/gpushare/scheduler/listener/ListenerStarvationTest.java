package dev.gpushare.scheduler.listener;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpushare.testkit.ManualClock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

class ListenerStarvationTest {

    private final ManualClock clock = new ManualClock();
    private final AtomicReference<ListenerStarvation.Pool> pool = new AtomicReference<>();
    private final ListenerStarvation starvation = new ListenerStarvation(pool::get, clock, Duration.ofSeconds(5));

    @Test
    void aPoolBusyToTheLastThreadForTheGraceIsDownNamingTheCondition() {
        pool.set(new ListenerStarvation.Pool(3, 200));
        assertThat(starvation.health()).isEqualTo(Health.up().withDetails(Map.of("busyThreads", 3,
                "maxThreads", 200)).build());

        pool.set(new ListenerStarvation.Pool(200, 200));
        assertThat(starvation.health().getStatus()).as("a burst may fill it for a moment").isEqualTo(Status.UP);
        clock.advance(Duration.ofMillis(4999));
        assertThat(starvation.health().getStatus()).isEqualTo(Status.UP);
        clock.advance(Duration.ofMillis(1));

        Health starved = starvation.health();
        assertThat(starved.getStatus()).isEqualTo(Status.DOWN);
        assertThat(starved.getDetails()).containsEntry("condition", "extender listener starved: all 200 worker"
                + " threads busy since 2026-12-01T12:00:00Z").containsEntry("busyThreads", 200);

        pool.set(new ListenerStarvation.Pool(199, 200));
        assertThat(starvation.health().getStatus()).isEqualTo(Status.UP);
        pool.set(new ListenerStarvation.Pool(200, 200));
        assertThat(starvation.health().getStatus()).as("the grace starts again").isEqualTo(Status.UP);
    }

    @Test
    void aListenerNotStartedYetIsNotStarved() {
        assertThat(starvation.health()).isEqualTo(Health.up().withDetail("extender", "not started").build());
    }
}
