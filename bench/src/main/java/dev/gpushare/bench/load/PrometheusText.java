package dev.gpushare.bench.load;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One sample line of Prometheus's text format ({@code name{label="v",...} value}), as the driver reads a scrape. */
final class PrometheusText {

    private PrometheusText() {
    }

    /** The value of label {@code name} on {@code line}; a label that merely ends in {@code name} does not count. */
    static Optional<String> label(String line, String name) {
        Matcher matcher = Pattern.compile("[{,]" + Pattern.quote(name) + "=\"([^\"]*)\"").matcher(line);
        return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
    }

    /** The sample's value, the last field of the line. */
    static double value(String line) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }
}
