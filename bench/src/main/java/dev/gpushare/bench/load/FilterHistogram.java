package dev.gpushare.bench.load;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code gpushare_filter_duration_seconds} as a Prometheus scrape shows it, every outcome summed: cumulative counts
 * by upper bound in seconds. Two scrapes around a scenario give that scenario's calls ({@link #minus}).
 */
record FilterHistogram(TreeMap<Double, Double> cumulative, double count) {

    private static final String FAMILY = "gpushare_filter_duration_seconds";

    static FilterHistogram parse(String scrape) {
        TreeMap<Double, Double> cumulative = new TreeMap<>();
        double count = 0;
        for (String line : scrape.split("\n")) {
            if (line.startsWith(FAMILY + "_bucket{")) {
                String le = PrometheusText.label(line, "le")
                        .orElseThrow(() -> new IllegalArgumentException("a bucket without le: " + line));
                double bound = le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
                cumulative.merge(bound, PrometheusText.value(line), Double::sum);
            } else if (line.startsWith(FAMILY + "_count{")) {
                count += PrometheusText.value(line);
            }
        }
        if (cumulative.isEmpty()) {
            throw new IllegalArgumentException("no " + FAMILY + "_bucket series in the scrape");
        }
        return new FilterHistogram(cumulative, count);
    }

    /** The calls recorded after {@code earlier} was scraped. */
    FilterHistogram minus(FilterHistogram earlier) {
        TreeMap<Double, Double> difference = new TreeMap<>();
        cumulative.forEach((bound, n) -> difference.put(bound, n - earlier.cumulative.getOrDefault(bound, 0.0)));
        return new FilterHistogram(difference, count - earlier.count);
    }

    /** The share of calls answered within {@code seconds}, which must be a bucket bound. */
    double within(double seconds) {
        Double n = cumulative.get(seconds);
        if (n == null) {
            throw new IllegalArgumentException(seconds + " s is not a bucket bound of " + cumulative.keySet());
        }
        return count == 0 ? Double.NaN : n / count;
    }

    /** The smallest bucket bound, in seconds, that holds the {@code p}-th percentile. */
    double percentileBound(double p) {
        return cumulative.entrySet().stream().filter(e -> e.getValue() >= p / 100 * count).map(Map.Entry::getKey)
                .findFirst().orElse(Double.POSITIVE_INFINITY);
    }

    String summary() {
        if (count == 0) {
            return "no /filter in the service";
        }
        return String.format(Locale.ROOT, "in the service %.0f calls, %.1f %% within 2 ms, %.1f %% within 5 ms,"
                + " p99 <= %s, p99.9 <= %s", count, 100 * within(0.002), 100 * within(0.005),
                millis(percentileBound(99)), millis(percentileBound(99.9)));
    }

    private static String millis(double seconds) {
        return Double.isInfinite(seconds) ? "+Inf" : String.format(Locale.ROOT, "%.0f ms", seconds * 1000);
    }
}
