package dev.gpushare.bench.load;

import dev.gpushare.scheduler.embedded.ApiServerDispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;

/**
 * The embedded API server's dispatcher, counting every write (any method but GET) by writer (the client's
 * {@code User-Agent}) and by what it writes, and the reads (GET and LIST; watches not) of each writer.
 */
final class ApiWrites extends ApiServerDispatcher {

    static final String KUBE_SCHEDULER = "kube-scheduler";
    static final String DEVICE_PLUGIN = "device-plugin";
    static final String SETUP = "setup";
    private static final Pattern BINDING = Pattern.compile("^/api/v1/namespaces/[^/]+/pods/[^/]+/binding.*");
    private static final Pattern POD_STATUS = Pattern.compile("^/api/v1/namespaces/[^/]+/pods/[^/]+/status.*");
    private static final Pattern POD = Pattern.compile("^/api/v1/namespaces/[^/]+/pods/[^/?]+(\\?.*)?$");
    private static final Pattern NODE = Pattern.compile("^/api/v1/nodes/[^/?]+(\\?.*)?$");
    private static final Pattern EVENTS = Pattern.compile(".*/events(\\?.*)?$");

    /** Prefix of the keys that count reads (GET and LIST, watches excluded) instead of writes. */
    static final String READS = "reads by ";

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        String method = request.getMethod() == null ? "" : request.getMethod().toUpperCase();
        String path = request.getPath() == null ? "" : request.getPath();
        if (!path.contains("watch=true")) {
            String agent = request.getHeader("User-Agent");
            String writer = agent == null ? "?" : agent.startsWith(KUBE_SCHEDULER) ? KUBE_SCHEDULER
                    : agent.startsWith(DEVICE_PLUGIN) ? DEVICE_PLUGIN : agent.startsWith(SETUP) ? SETUP : "gpushare";
            String key = method.equals("GET") ? READS + writer : writer + " " + what(method, path);
            counts.computeIfAbsent(key, k -> new LongAdder()).increment();
        }
        return super.dispatch(request);
    }

    private static String what(String method, String path) {
        if (BINDING.matcher(path).matches()) {
            return "Binding";
        }
        if (POD_STATUS.matcher(path).matches()) {
            return "pod status";
        }
        if (EVENTS.matcher(path).matches()) {
            return "event";
        }
        if (POD.matcher(path).matches()) {
            return "pod " + method.toLowerCase();
        }
        if (NODE.matcher(path).matches()) {
            return "node " + method.toLowerCase();
        }
        return method.toLowerCase() + " " + path.replaceAll("\\?.*", "");
    }

    /** Requests counted so far, by writer and kind, and resets the counts. */
    Map<String, Long> drain() {
        Map<String, Long> result = new TreeMap<>();
        counts.forEach((key, adder) -> result.put(key, adder.sumThenReset()));
        result.values().removeIf(v -> v == 0);
        return result;
    }
}
