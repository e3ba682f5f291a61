package dev.gpushare.scheduler.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Hands gauge families computed on each scrape to the Prometheus registry that serves {@code /metrics}. The names
 * are fixed at construction (the registry refuses a second collector with one of them), the samples are whatever
 * the supplier computes now. Families without samples are left out, as Prometheus' Go client does.
 */
public final class ScrapeTimeCollector implements MultiCollector {

    private final List<String> names;
    private final Supplier<List<GaugeFamily>> families;

    /**
     * @param names    every family name the supplier can return
     * @param families computes the families from the current state
     */
    public ScrapeTimeCollector(List<String> names, Supplier<List<GaugeFamily>> families) {
        this.names = List.copyOf(names);
        this.families = families;
    }

    @Override
    public MetricSnapshots collect() {
        List<MetricSnapshot> snapshots = new ArrayList<>();
        for (GaugeFamily family : families.get()) {
            if (!names.contains(family.name())) {
                throw new IllegalStateException("family " + family.name() + " was not declared");
            }
            if (family.samples().isEmpty()) {
                continue;
            }
            GaugeSnapshot.Builder gauge = GaugeSnapshot.builder().name(family.name()).help(family.help());
            for (GaugeFamily.Sample sample : family.samples()) {
                gauge.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                        .labels(Labels.of(family.labelNames(), sample.labelValues()))
                        .value(sample.value()).build());
            }
            snapshots.add(gauge.build());
        }
        return new MetricSnapshots(snapshots);
    }

    @Override
    public List<String> getPrometheusNames() {
        return names;
    }
}
