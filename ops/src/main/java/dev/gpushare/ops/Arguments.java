package dev.gpushare.ops;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The flags and positional arguments of one subcommand: {@code --flag value}, {@code --flag=value}, and boolean
 * switches ({@code --apply}). Every flag must be known to the subcommand and given at most once.
 */
public final class Arguments {

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    private final Map<String, String> values;
    private final List<String> positionals;

    private Arguments(Map<String, String> values, List<String> positionals) {
        this.values = values;
        this.positionals = positionals;
    }

    /**
     * @param valued   flags that take a value
     * @param switches flags that take none
     */
    public static Arguments parse(List<String> args, Set<String> valued, Set<String> switches) throws UsageException {
        Map<String, String> values = new LinkedHashMap<>();
        List<String> positionals = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--")) {
                positionals.add(arg);
                continue;
            }
            int equals = arg.indexOf('=');
            String name = equals >= 0 ? arg.substring(2, equals) : arg.substring(2);
            String value;
            if (switches.contains(name)) {
                if (equals >= 0) {
                    throw new UsageException("--" + name + " takes no value");
                }
                value = "true";
            } else if (valued.contains(name)) {
                if (equals >= 0) {
                    value = arg.substring(equals + 1);
                } else if (i + 1 < args.size()) {
                    value = args.get(++i);
                } else {
                    throw new UsageException("--" + name + " needs a value");
                }
                if (value.isBlank()) {
                    throw new UsageException("--" + name + " needs a non-empty value");
                }
            } else {
                throw new UsageException("unknown flag --" + name);
            }
            if (values.put(name, value.trim()) != null) {
                throw new UsageException("--" + name + " given twice");
            }
        }
        return new Arguments(values, positionals);
    }

    public String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public List<String> positionals() {
        return positionals;
    }

    /** A duration flag: a number with {@code ms}, {@code s}, {@code m} or {@code h}, e.g. {@code 90s}. */
    public Duration duration(String name, Duration fallback) throws UsageException {
        String text = values.get(name);
        if (text == null) {
            return fallback;
        }
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            throw new UsageException("--" + name + ": expected a duration like 90s, 5m or 500ms, got '" + text + "'");
        }
        long amount = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
    }

    /** A positive integer flag. */
    public int positiveInt(String name, int fallback) throws UsageException {
        String text = values.get(name);
        if (text == null) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(text);
            if (value > 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException("--" + name + ": expected a positive integer, got '" + text + "'");
    }

    /** A flag whose value must be one of {@code allowed}. */
    public String oneOf(String name, String fallback, Set<String> allowed) throws UsageException {
        String value = get(name, fallback);
        if (!allowed.contains(value)) {
            throw new UsageException("--" + name + ": expected one of " + String.join(", ", allowed.stream().sorted()
                    .toList()) + ", got '" + value + "'");
        }
        return value;
    }
}
