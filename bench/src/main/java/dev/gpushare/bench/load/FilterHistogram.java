package dev.gpushare.bench.load;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code gpushare_filter_duration_seconds} as a Prometheus scrape shows it, every outcome summed: cumulative counts
 * by upper bound in seconds. Two scrapes around a scenario give that scenario's calls ({@link #minus}).
 */
record FilterHistogram(TreeMap<Double, Double> cumulative, double count) {

    private static final String FAMILY = "gpushare_filter_duration_seconds";
    private static final Pattern LE = Pattern.compile("[{,]le=\"([^\"]+)\"");

    static FilterHistogram parse(String scrape) {
        TreeMap<Double, Double> cumulative = new TreeMap<>();
        double count = 0;
        for (String line : scrape.split("\n")) {
            if (line.startsWith(FAMILY + "_bucket{")) {
                Matcher le = LE.matcher(line);
                if (!le.find()) {
                    throw new IllegalArgumentException("a bucket without le: " + line);
                }
                double bound = le.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le.group(1));
                cumulative.merge(bound, value(line), Double::sum);
            } else if (line.startsWith(FAMILY + "_count{")) {
                count += value(line);
            }
        }
        if (cumulative.isEmpty()) {
            throw new IllegalArgumentException("no " + FAMILY + "_bucket series in the scrape");
        }
        return new FilterHistogram(cumulative, count);
    }

    private static double value(String line) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
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
