package dev.gpushare.scheduler.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The PromQL of a Grafana dashboard (every panel target and every query variable) and what each expression names:
 * the series and the label names it selects or groups by. A small reader of the PromQL subset dashboards use, enough
 * to tell a name from a function, a keyword, a label or a duration.
 */
public final class DashboardQueries {

    /** One expression with the metric names and label names in it. */
    public record Query(String where, String expr, Set<String> metrics, Set<String> labels) {
    }

    private static final Set<String> WORDS = Set.of(
            // aggregations and their modifiers
            "sum", "min", "max", "avg", "count", "stddev", "stdvar", "topk", "bottomk", "quantile", "count_values",
            "group", "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless",
            "offset",
            // functions
            "rate", "irate", "increase", "delta", "idelta", "deriv", "changes", "resets", "histogram_quantile",
            "abs", "ceil", "floor", "round", "clamp", "clamp_min", "clamp_max", "label_replace", "label_join",
            "vector", "scalar", "time", "timestamp", "absent", "absent_over_time", "sort", "sort_desc",
            "avg_over_time", "max_over_time", "min_over_time", "sum_over_time", "count_over_time", "last_over_time",
            "predict_linear", "label_values", "query_result", "inf", "nan");
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern MATCHERS = Pattern.compile("\\{([^}]*)}");
    private static final Pattern MATCHER_LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)");
    private static final Pattern GROUPING = Pattern.compile(
            "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\(([^)]*)\\)");
    private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
    private static final Pattern IDENT = Pattern.compile("(?<![\\w$.])([a-zA-Z_:][a-zA-Z0-9_:]*)");

    private DashboardQueries() {
    }

    public static List<Query> of(Path dashboard) throws IOException {
        JsonNode root = JsonMapper.builder().build().readTree(Files.readString(dashboard));
        List<Query> queries = new ArrayList<>();
        panels(root.path("panels"), queries);
        for (JsonNode variable : root.path("templating").path("list")) {
            if ("query".equals(variable.path("type").asString())) {
                JsonNode query = variable.path("query");
                String expr = query.isObject() ? query.path("query").asString() : query.asString();
                queries.add(parse("variable " + variable.path("name").asString(), expr));
            }
        }
        return queries;
    }

    private static void panels(JsonNode panels, List<Query> out) {
        for (JsonNode panel : panels) {
            for (JsonNode target : panel.path("targets")) {
                out.add(parse("panel '" + panel.path("title").asString() + "' " + target.path("refId").asString(),
                        target.path("expr").asString()));
            }
            panels(panel.path("panels"), out);
        }
    }

    /** The names in one expression. */
    public static Query parse(String where, String expr) {
        String text = expr;
        Set<String> labels = new LinkedHashSet<>();
        text = STRING.matcher(text).replaceAll("\"\"");
        Matcher matchers = MATCHERS.matcher(text);
        StringBuilder rest = new StringBuilder();
        while (matchers.find()) {
            Matcher label = MATCHER_LABEL.matcher(matchers.group(1));
            while (label.find()) {
                labels.add(label.group(1));
            }
            matchers.appendReplacement(rest, " ");
        }
        matchers.appendTail(rest);
        text = rest.toString();
        Matcher grouping = GROUPING.matcher(text);
        rest = new StringBuilder();
        while (grouping.find()) {
            for (String label : grouping.group(2).split(",")) {
                if (!label.isBlank()) {
                    labels.add(label.trim());
                }
            }
            grouping.appendReplacement(rest, " ");
        }
        grouping.appendTail(rest);
        text = RANGE.matcher(rest.toString()).replaceAll(" ");
        Set<String> metrics = new LinkedHashSet<>();
        Matcher ident = IDENT.matcher(text);
        while (ident.find()) {
            String name = ident.group(1);
            if (!WORDS.contains(name)) {
                metrics.add(name);
            }
        }
        // label_values(metric, label): the second argument is a label
        Matcher values = Pattern.compile("label_values\\(\\s*[^,]*,\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*\\)").matcher(text);
        while (values.find()) {
            metrics.remove(values.group(1));
            labels.add(values.group(1));
        }
        return new Query(where, expr, metrics, labels);
    }
}
