package dev.gpushare.scheduler.embedded;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** A request path and its decoded query parameters, in their order; {@link #toString} encodes them again. */
record Query(String path, Map<String, String> params) {

    Query {
        params = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    static Query of(String fullPath) {
        int question = fullPath.indexOf('?');
        Map<String, String> params = new LinkedHashMap<>();
        if (question >= 0) {
            for (String pair : fullPath.substring(question + 1).split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int equal = pair.indexOf('=');
                params.put(URLDecoder.decode(equal < 0 ? pair : pair.substring(0, equal), StandardCharsets.UTF_8),
                        equal < 0 ? "" : URLDecoder.decode(pair.substring(equal + 1), StandardCharsets.UTF_8));
            }
        }
        return new Query(question < 0 ? fullPath : fullPath.substring(0, question), params);
    }

    String get(String name) {
        return params.get(name);
    }

    Query without(String... names) {
        Map<String, String> kept = new LinkedHashMap<>(params);
        Arrays.asList(names).forEach(kept::remove);
        return new Query(path, kept);
    }

    Query with(String name, String value) {
        Map<String, String> all = new LinkedHashMap<>(params);
        all.put(name, value);
        return new Query(path, all);
    }

    @Override
    public String toString() {
        if (params.isEmpty()) {
            return path;
        }
        return path + "?" + params.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }
}
