package dev.gpushare.scheduler.metrics;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One gauge family computed at scrape time: its name, HELP text, label names and samples, sorted by label values so
 * that two scrapes of the same state read the same.
 */
public record GaugeFamily(String name, String help, List<String> labelNames, List<Sample> samples) {

    public GaugeFamily {
        Objects.requireNonNull(name, "name");
        if (help == null || help.isBlank()) {
            throw new IllegalArgumentException("family " + name + " has no HELP text");
        }
        labelNames = List.copyOf(labelNames);
        for (Sample sample : samples) {
            if (sample.labelValues().size() != labelNames.size()) {
                throw new IllegalArgumentException("family " + name + " has labels " + labelNames
                        + " but a sample with values " + sample.labelValues());
            }
        }
        List<Sample> sorted = new ArrayList<>(samples);
        sorted.sort(BY_LABELS);
        samples = List.copyOf(sorted);
    }

    /** Label values in the order of {@link #labelNames()}. */
    public record Sample(List<String> labelValues, double value) {
        public Sample {
            labelValues = List.copyOf(labelValues);
        }
    }

    private static final Comparator<Sample> BY_LABELS = (a, b) -> {
        for (int i = 0; i < a.labelValues().size(); i++) {
            int c = a.labelValues().get(i).compareTo(b.labelValues().get(i));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    };

    /**
     * Collects the samples of one family, one per label set: a registration that names a GPU twice must not make
     * the whole scrape fail (Prometheus rejects a family with a duplicated label set).
     */
    static final class Builder {
        private final String name;
        private final String help;
        private final List<String> labelNames;
        private final Map<List<String>, Double> samples = new LinkedHashMap<>();

        Builder(String name, String help, String... labelNames) {
            this.name = name;
            this.help = help;
            this.labelNames = List.of(labelNames);
        }

        /** Adds a sample; a label set already present keeps its first value. */
        Builder add(double value, String... labelValues) {
            samples.putIfAbsent(List.of(labelValues), value);
            return this;
        }

        /** Adds a sample; a label set already present gets the sum. */
        Builder accumulate(double value, String... labelValues) {
            samples.merge(List.of(labelValues), value, Double::sum);
            return this;
        }

        GaugeFamily build() {
            List<Sample> list = new ArrayList<>(samples.size());
            samples.forEach((labels, value) -> list.add(new Sample(labels, value)));
            return new GaugeFamily(name, help, labelNames, list);
        }
    }
}
