package dev.gpushare.scheduler.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The lag of our own pod writes through the pod informer, on a hand-driven nanosecond clock. */
class InformerLagTest {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final InformerLag lag = new InformerLag(meters, nanos::get);

    private static Pod pod(String name, String version) {
        return new PodBuilder().withNewMetadata().withNamespace("ns").withName(name).withResourceVersion(version)
                .endMetadata().build();
    }

    private Timer timer() {
        return meters.get("gpushare_informer_lag").timer();
    }

    private void advance(Duration by) {
        nanos.addAndGet(by.toNanos());
    }

    @Test
    void theVersionWeWroteIsTimedOnceWhenTheInformerDeliversIt() {
        assertThat(timer().getId().getDescription()).isEqualTo("Time from the API server answering a pod write of"
                + " this scheduler to the pod informer delivering that resourceVersion");
        lag.wrote(pod("p", "10"));
        lag.wrote(pod("q", "11"));
        advance(Duration.ofMillis(7));

        lag.seen(pod("p", "9"));     // an older event still in flight
        lag.seen(pod("q", "11"));
        advance(Duration.ofMillis(5));
        lag.seen(pod("p", "10"));
        lag.seen(pod("p", "10"));    // a resync of the same version: counted once
        lag.seen(pod("other", "10"));

        assertThat(timer().count()).isEqualTo(2);
        assertThat(timer().totalTime(TimeUnit.MILLISECONDS)).isEqualTo(19);
        assertThat(timer().max(TimeUnit.MILLISECONDS)).isEqualTo(12);
        assertThat(lag.pending()).isZero();
    }

    @Test
    void aLaterWriteOfThePodReplacesTheVersionAwaited() {
        lag.wrote(pod("p", "1"));
        advance(Duration.ofMillis(3));
        lag.wrote(pod("p", "2"));
        advance(Duration.ofMillis(4));
        lag.seen(pod("p", "1"));
        assertThat(timer().count()).isZero();
        lag.seen(pod("p", "2"));
        assertThat(timer().count()).isEqualTo(1);
        assertThat(timer().totalTime(TimeUnit.MILLISECONDS)).as("from the later write").isEqualTo(4);
    }

    @Test
    void aWriteWithoutAnAnswerOrAVersionIsNotAwaited() {
        lag.wrote(null);
        lag.wrote(new Pod());
        lag.wrote(pod("p", null));
        assertThat(lag.pending()).isZero();
    }

    @Test
    void aVersionThatNeverArrivesIsForgottenAfterAMinute() {
        lag.wrote(pod("p", "5"));
        advance(Duration.ofSeconds(30));
        lag.seen(pod("p", "6"));     // a third party's write came first: still waiting for ours
        assertThat(lag.pending()).isEqualTo(1);
        advance(InformerLag.FORGET_AFTER);
        lag.seen(pod("p", "7"));
        assertThat(lag.pending()).isZero();
        lag.seen(pod("p", "5"));
        assertThat(timer().count()).isZero();
    }

    @Test
    void atMostMaxPendingWritesAreAwaitedAndAFullTableMakesRoomByForgettingOldOnes() {
        for (int i = 0; i < InformerLag.MAX_PENDING; i++) {
            lag.wrote(pod("old-" + i, "1"));
        }
        lag.wrote(pod("refused", "1"));
        assertThat(lag.pending()).isEqualTo(InformerLag.MAX_PENDING);
        lag.wrote(pod("old-0", "2"));   // a pod already awaited is still updated
        advance(InformerLag.FORGET_AFTER.plusSeconds(1));
        lag.wrote(pod("accepted", "1"));
        assertThat(lag.pending()).isEqualTo(1);

        lag.seen(pod("refused", "1"));
        lag.seen(pod("old-0", "2"));
        lag.seen(pod("accepted", "1"));
        assertThat(timer().count()).isEqualTo(1);
    }
}
