package dev.gpushare.scheduler.support;

import dev.gpushare.scheduler.listener.ExtenderListener;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Calls the extender verbs over HTTP on the real listener, as kube-scheduler does. */
public final class ExtenderClient {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final IntSupplier port;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    public ExtenderClient(ExtenderListener listener) {
        this(listener::port);
    }

    /** Calls the extender of another process, on the port it is listening on. */
    public ExtenderClient(IntSupplier port) {
        this.port = port;
    }

    /** The raw answer to a body, status and text. */
    public HttpResponse<String> post(String path, byte[] body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port.getAsInt() + path))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public HttpResponse<String> post(String path, String body) {
        return post(path, body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** {@code /filter} for a pod over these node names, as kube-scheduler encodes it (no kind on the pod). */
    public JsonNode filter(Pod pod, List<String> nodeNames) {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("Pod", JSON.readTree(Serialization.asJson(pod)));
        args.put("Nodes", null);
        args.put("NodeNames", nodeNames);
        return json(post("/filter", JSON.writeValueAsString(args)));
    }

    public JsonNode bind(Pod pod, String node) {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("PodName", pod.getMetadata().getName());
        args.put("PodNamespace", pod.getMetadata().getNamespace());
        args.put("PodUID", pod.getMetadata().getUid());
        args.put("Node", node);
        return json(post("/bind", JSON.writeValueAsString(args)));
    }

    public static JsonNode json(HttpResponse<String> response) {
        if (response.statusCode() != 200) {
            throw new AssertionError("HTTP " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }
}
