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

/** The lag of our own writes through the informers, on a hand-driven clock. */
class InformerLagTest {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final AtomicLong nanos = new AtomicLong();
    private final InformerLag lag = new InformerLag(meters, nanos::get);

    private static Pod pod(String name, String version) {
        return new PodBuilder().withNewMetadata().withNamespace("ns").withName(name).withResourceVersion(version)
                .endMetadata().build();
    }

    private Timer timer() {
        return meters.get("gpushare_informer_lag").timer();
    }

    @Test
    void theVersionWeWroteIsTimedWhenTheInformerDeliversIt() {
        lag.wrote(pod("p", "10"));
        lag.wrote(pod("q", "11"));
        nanos.addAndGet(Duration.ofMillis(7).toNanos());

        lag.seen(pod("p", "9"));    // an older event still in flight
        lag.seen(pod("q", "11"));
        nanos.addAndGet(Duration.ofMillis(5).toNanos());
        lag.seen(pod("p", "10"));
        lag.seen(pod("p", "10"));   // a resync of the same version: counted once
        lag.seen(pod("other", "10"));

        assertThat(timer().count()).isEqualTo(2);
        assertThat(timer().totalTime(TimeUnit.MILLISECONDS)).isEqualTo(19);
        assertThat(timer().max(TimeUnit.MILLISECONDS)).isEqualTo(12);
    }

    @Test
    void aLaterWriteReplacesTheVersionAwaitedAndAFullTableForgetsOldWrites() {
        lag.wrote(pod("p", "1"));
        lag.wrote(pod("p", "2"));
        lag.seen(pod("p", "1"));
        assertThat(timer().count()).isZero();
        lag.seen(pod("p", "2"));
        assertThat(timer().count()).isEqualTo(1);

        for (int i = 0; i < InformerLag.MAX_PENDING; i++) {
            lag.wrote(pod("old-" + i, "1"));
        }
        lag.wrote(pod("refused", "1"));
        nanos.addAndGet(InformerLag.FORGET_AFTER.plusSeconds(1).toNanos());
        lag.wrote(pod("accepted", "1"));
        lag.seen(pod("refused", "1"));
        lag.seen(pod("accepted", "1"));
        assertThat(timer().count()).isEqualTo(2);
    }
}
