package dev.gpushare.scheduler.embedded;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.Serialization;
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
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * {@link SchedulerExtender} over HTTP, as kube-scheduler's {@code HTTPExtender} sends them: JSON bodies with
 * PascalCase keys, a 30 s timeout (HAMi's scheduler configuration sets {@code httpTimeout: 30s}).
 */
public final class ExtenderHttpClient implements SchedulerExtender {

    private static final ObjectMapper MAPPER = Serialization.jsonMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** {@code base}: the extender's URL prefix, e.g. {@code http://127.0.0.1:8888}. */
    public ExtenderHttpClient(URI base) {
        this.base = base;
    }

    @Override
    public FilterResult filter(Pod pod, List<String> nodeNames) throws IOException, InterruptedException {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("Pod", pod);
        args.put("Nodes", null);
        args.put("NodeNames", nodeNames);
        JsonNode answer = post("/filter", Serialization.asJson(args));
        List<String> fit = new ArrayList<>();
        answer.path("NodeNames").forEach(n -> fit.add(n.asString()));
        return new FilterResult(fit, reasons(answer.path("FailedNodes")),
                reasons(answer.path("FailedAndUnresolvableNodes")), answer.path("Error").asString(""));
    }

    @Override
    public String bind(Pod pod, String node) throws IOException, InterruptedException {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("PodName", pod.getMetadata().getName());
        args.put("PodNamespace", pod.getMetadata().getNamespace());
        args.put("PodUID", pod.getMetadata().getUid());
        args.put("Node", node);
        return post("/bind", Serialization.asJson(args)).path("Error").asString("");
    }

    private JsonNode post(String verb, String body) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(base.resolve(verb)).timeout(TIMEOUT)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(verb + " answered HTTP " + response.statusCode());
        }
        return MAPPER.readTree(response.body());
    }

    private static Map<String, String> reasons(JsonNode node) {
        Map<String, String> reasons = new LinkedHashMap<>();
        if (node.isObject()) {
            node.properties().forEach(e -> reasons.put(e.getKey(), e.getValue().asString()));
        }
        return reasons;
    }
}
