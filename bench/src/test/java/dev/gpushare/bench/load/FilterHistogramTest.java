package dev.gpushare.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gpushare.scheduler.metrics.Latency;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The service's {@code /filter} histogram read back from a real Prometheus scrape, as the burst driver reads it. */
class FilterHistogramTest {

    private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Timer passed = timer("passed");
    private final Timer unschedulable = timer("unschedulable");

    private Timer timer(String outcome) {
        return Latency.timer(meters, "gpushare_filter_duration", "test", "outcome", outcome);
    }

    @Test
    void sumsEveryOutcomeAndCountsOnlyTheCallsAfterTheEarlierScrape() {
        passed.record(Duration.ofMillis(30));   // before the scenario: not counted
        FilterHistogram before = FilterHistogram.parse(meters.scrape());
        for (int i = 0; i < 97; i++) {
            passed.record(Duration.ofNanos(1_500_000));
        }
        unschedulable.record(Duration.ofMillis(4));
        passed.record(Duration.ofMillis(7));
        passed.record(Duration.ofMillis(40));

        FilterHistogram scenario = FilterHistogram.parse(meters.scrape()).minus(before);

        assertThat(scenario.count()).isEqualTo(100.0);
        assertThat(scenario.within(0.002)).isEqualTo(0.97);
        assertThat(scenario.within(0.005)).isEqualTo(0.98);
        assertThat(scenario.percentileBound(98)).isEqualTo(0.005);
        assertThat(scenario.percentileBound(99)).isEqualTo(0.010);
        assertThat(scenario.percentileBound(99.9)).isEqualTo(0.050);
        assertThat(scenario.summary()).isEqualTo("in the service 100 calls, 97.0 % within 2 ms, 98.0 % within 5 ms,"
                + " p99 <= 10 ms, p99.9 <= 50 ms");
    }

    @Test
    void aScrapeWithoutTheHistogramIsAnErrorNotAnEmptyScenario() {
        assertThatThrownBy(() -> FilterHistogram.parse("# EOF\nhttp_requests_total 3\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no gpushare_filter_duration_seconds_bucket series in the scrape");
        assertThatThrownBy(() -> FilterHistogram.parse(meters.scrape()).within(0.003))
                .hasMessageStartingWith("0.003 s is not a bucket bound of [0.001, 0.002, 0.005,");
    }
}
