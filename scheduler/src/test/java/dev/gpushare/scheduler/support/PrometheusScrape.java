package dev.gpushare.scheduler.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One scrape of {@code /metrics} in Prometheus' text format 0.0.4, parsed into families (HELP, TYPE, samples) so
 * that tests can assert exact series: a sample is found by its name and its complete label set.
 */
public final class PrometheusScrape {

    /** One line of a family: {@code name{labels} value}; labels sorted by name. */
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    /** What the scrape says about one family; {@code help} is null when the family has no HELP line. */
    public record Family(String name, String help, String type, List<Sample> samples) {
    }

    private final String text;
    private final Map<String, Family> families;

    private PrometheusScrape(String text, Map<String, Family> families) {
        this.text = text;
        this.families = families;
    }

    /** Scrapes {@code http://127.0.0.1:<port>/metrics}. */
    public static PrometheusScrape of(int managementPort) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/metrics"))
                .timeout(Duration.ofSeconds(10)).header("Accept", "text/plain;version=0.0.4").GET().build();
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(request,
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new AssertionError("/metrics answered " + response.statusCode() + ": " + response.body());
            }
            return parse(response.body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static PrometheusScrape parse(String text) {
        Map<String, String> help = new LinkedHashMap<>();
        Map<String, String> type = new LinkedHashMap<>();
        Map<String, List<Sample>> samples = new LinkedHashMap<>();
        String current = null;
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            if (line.startsWith("# HELP ")) {
                String[] parts = line.substring(7).split(" ", 2);
                current = parts[0];
                help.put(current, parts.length > 1 ? unescapeHelp(parts[1]) : "");
                samples.putIfAbsent(current, new ArrayList<>());
            } else if (line.startsWith("# TYPE ")) {
                String[] parts = line.substring(7).split(" ", 2);
                current = parts[0];
                type.put(current, parts[1]);
                samples.putIfAbsent(current, new ArrayList<>());
            } else if (!line.startsWith("#")) {
                Sample sample = sample(line);
                String family = current != null && sample.name().startsWith(current) ? current : sample.name();
                samples.computeIfAbsent(family, f -> new ArrayList<>()).add(sample);
            }
        }
        Map<String, Family> families = new LinkedHashMap<>();
        samples.forEach((name, list) -> families.put(name,
                new Family(name, help.get(name), type.get(name), List.copyOf(list))));
        return new PrometheusScrape(text, families);
    }

    private static Sample sample(String line) {
        int brace = line.indexOf('{');
        int space = line.indexOf(' ');
        Map<String, String> labels = new TreeMap<>();
        String name;
        String rest;
        if (brace >= 0 && brace < space) {
            name = line.substring(0, brace);
            int i = brace + 1;
            while (line.charAt(i) != '}') {
                int eq = line.indexOf('=', i);
                String label = line.substring(i, eq);
                StringBuilder value = new StringBuilder();
                int j = eq + 2;  // after ="
                while (line.charAt(j) != '"') {
                    char c = line.charAt(j);
                    if (c == '\\') {
                        char next = line.charAt(++j);
                        value.append(next == 'n' ? '\n' : next);
                    } else {
                        value.append(c);
                    }
                    j++;
                }
                labels.put(label, value.toString());
                i = j + 1;
                if (line.charAt(i) == ',') {
                    i++;
                }
            }
            rest = line.substring(i + 1).trim();
        } else {
            name = line.substring(0, space);
            rest = line.substring(space + 1).trim();
        }
        String value = rest.split(" ")[0];
        return new Sample(name, labels, switch (value) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(value);
        });
    }

    private static String unescapeHelp(String help) {
        return help.replace("\\n", "\n").replace("\\\\", "\\");
    }

    public String text() {
        return text;
    }

    public Map<String, Family> families() {
        return families;
    }

    public Optional<Family> family(String name) {
        return Optional.ofNullable(families.get(name));
    }

    /** Every sample named {@code name} (a family's own name, or e.g. {@code x_bucket}), in scrape order. */
    public List<Sample> samples(String name) {
        return families.values().stream().flatMap(f -> f.samples().stream()).filter(s -> s.name().equals(name))
                .toList();
    }

    /** The value of the sample with exactly these labels (given as name, value, name, value, ...), if present. */
    public Optional<Double> value(String name, String... labels) {
        Map<String, String> wanted = new TreeMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            wanted.put(labels[i], labels[i + 1]);
        }
        return samples(name).stream().filter(s -> s.labels().equals(wanted)).map(Sample::value).findFirst();
    }
}
