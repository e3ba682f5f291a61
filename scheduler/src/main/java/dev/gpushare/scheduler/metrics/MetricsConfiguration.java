package dev.gpushare.scheduler.metrics;

import dev.gpushare.common.config.DeviceConfig;
import dev.gpushare.common.config.NvidiaConfig;
import dev.gpushare.scheduler.config.HamiProperties;
import dev.gpushare.scheduler.state.ClusterState;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.config.MeterFilter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The series computed on each scrape, registered with the Prometheus registry behind {@code /metrics}: HAMi's and
 * ours from the ledger's {@link UsageView} (HAMi's legacy names with {@code hami.metrics.legacy-names}), and
 * {@code hami_build_info}.
 */
@Configuration(proxyBeanMethods = false)
class MetricsConfiguration {

    @Bean
    MeterFilter meterDescriptions() {
        return new MeterDescriptions();
    }

    @Bean
    UsageViewSource usageViews(ClusterState state, DeviceConfig deviceConfig) {
        NvidiaConfig nvidia = deviceConfig.nvidia();
        return new LedgerUsageView(state::view, nvidia.resourceMemoryName(), nvidia.resourceCoreName(),
                nvidia.memoryFactor());
    }

    /** {@code gpushare_ledger_reservations_total{event}}, read from the ledger's counts at scrape time. */
    @Bean
    MeterBinder ledgerReservations(ClusterState state) {
        String help = "reservations made by /filter and how they ended: rolled back (a failed bind or filter, or a"
                + " re-filter), expired (never bound in time), dropped (leadership lost)";
        return meters -> {
            reservations(meters, state, "made", help, ClusterState.ReservationCounts::made);
            reservations(meters, state, "rolled_back", help, ClusterState.ReservationCounts::rolledBack);
            reservations(meters, state, "expired", help, ClusterState.ReservationCounts::expired);
            reservations(meters, state, "dropped", help, ClusterState.ReservationCounts::dropped);
        };
    }

    private static void reservations(MeterRegistry meters, ClusterState state, String event, String help,
                                     ToLongFunction<ClusterState.ReservationCounts> count) {
        FunctionCounter.builder("gpushare_ledger_reservations", state, s -> count.applyAsLong(s.reservationCounts()))
                .tag("event", event).description(help).register(meters);
    }

    @Bean
    ScrapeTimeCollector hamiSeries(PrometheusRegistry registry, UsageViewSource views, HamiProperties properties) {
        boolean legacy = properties.metrics().legacyNames();
        List<String> names = families(UsageView.EMPTY, legacy).stream().map(GaugeFamily::name).toList();
        ScrapeTimeCollector collector = new ScrapeTimeCollector(names, () -> families(views.current(), legacy));
        registry.register(collector);
        return collector;
    }

    /** HAMi's series and ours from one view: one look at the ledger per scrape. */
    private static List<GaugeFamily> families(UsageView view, boolean legacy) {
        List<GaugeFamily> families = new ArrayList<>(HamiSeries.of(view, legacy));
        families.addAll(LedgerSeries.of(view));
        return families;
    }

    @Bean
    ScrapeTimeCollector buildInfo(PrometheusRegistry registry, ObjectProvider<BuildProperties> build) {
        BuildProperties properties = build.getIfAvailable();
        BuildInfoSeries info = new BuildInfoSeries(
                properties == null ? MetricsConfiguration.class.getPackage().getImplementationVersion()
                        : properties.getVersion(),
                properties == null ? null : properties.get("revision"),
                properties == null || properties.getTime() == null ? null : properties.getTime().toString(),
                "java" + Runtime.version(), "javac",
                BuildInfoSeries.platform(System.getProperty("os.name"), System.getProperty("os.arch")));
        GaugeFamily family = info.family();
        ScrapeTimeCollector collector = new ScrapeTimeCollector(List.of(family.name()), () -> List.of(family));
        registry.register(collector);
        return collector;
    }
}
