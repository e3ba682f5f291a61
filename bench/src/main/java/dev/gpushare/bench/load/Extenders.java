package dev.gpushare.bench.load;

import com.sun.net.httpserver.HttpServer;
import dev.gpushare.bench.load.ExtenderSchedulingLoop.Extender;
import dev.gpushare.bench.load.ExtenderSchedulingLoop.FilterAnswer;
import dev.gpushare.scheduler.kube.PodBindings;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The two extenders a run compares: ours over HTTP, and the no-op reference. */
final class Extenders {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private Extenders() {
    }

    /**
     * kube-scheduler's HTTP extender with filter and bind verbs ({@code nodeCacheCapable: true}: node names only),
     * with kube-scheduler's extender timeout of 30 s.
     */
    static final class Http implements Extender {

        private final String base;
        private final List<String> nodeNames;
        private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        Http(String base, List<String> nodeNames) {
            this.base = base;
            this.nodeNames = nodeNames;
        }

        @Override
        public FilterAnswer filter(Pod pod) throws Exception {
            Map<String, Object> args = new LinkedHashMap<>();
            args.put("Pod", JSON.readTree(Serialization.asJson(pod)));
            args.put("Nodes", null);
            args.put("NodeNames", nodeNames);
            JsonNode result = post(base + "/filter", args);
            JsonNode names = result.get("NodeNames");
            if (names != null && names.isArray() && names.size() > 0) {
                return new FilterAnswer.Fits(names.get(0).asString());
            }
            JsonNode error = result.get("Error");
            String message = error != null && !error.asString().isEmpty() ? error.asString()
                    : String.valueOf(result.get("FailedNodes"));
            return new FilterAnswer.Unfit(message);
        }

        @Override
        public String bind(Pod pod, String node) throws Exception {
            Map<String, Object> args = new LinkedHashMap<>();
            args.put("PodName", pod.getMetadata().getName());
            args.put("PodNamespace", pod.getMetadata().getNamespace());
            args.put("PodUID", pod.getMetadata().getUid());
            args.put("Node", node);
            JsonNode error = post(base + "/bind", args).get("Error");
            return error == null ? "" : error.asString();
        }

        private JsonNode post(String url, Object body) throws Exception {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IOException(url + " answered HTTP " + response.statusCode());
            }
            return JSON.readTree(response.body());
        }
    }

    /**
     * The reference: an HTTP extender whose filter answers the first candidate node (no placement, no lock, no
     * annotations) and that is no binder, so kube-scheduler binds the pod itself through its own rate-limited client.
     */
    static final class NoOp implements Extender, AutoCloseable {

        private final HttpServer server;
        private final Http filterClient;
        private final PodBindings bindings;
        private final TokenBucket limiter;

        NoOp(List<String> nodeNames, KubernetesClient kubeScheduler, TokenBucket limiter) throws IOException {
            // Headers and body in one segment: otherwise Nagle and the client's delayed ACK add 40 ms to each call.
            System.setProperty("sun.net.httpserver.nodelay", "true");
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
            server.createContext("/filter", exchange -> {
                try (InputStream in = exchange.getRequestBody(); OutputStream out = exchange.getResponseBody()) {
                    JsonNode args = JSON.readTree(in.readAllBytes());
                    String first = args.get("NodeNames").get(0).asString();
                    byte[] answer = JSON.writeValueAsString(Map.of("NodeNames", List.of(first),
                            "FailedNodes", Map.of(), "Error", "")).getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().add("Content-Type", "application/json");
                    exchange.sendResponseHeaders(200, answer.length);
                    out.write(answer);
                }
            });
            server.setExecutor(null);
            server.start();
            filterClient = new Http("http://127.0.0.1:" + server.getAddress().getPort(), nodeNames);
            bindings = new PodBindings(kubeScheduler);
            this.limiter = limiter;
        }

        @Override
        public FilterAnswer filter(Pod pod) throws Exception {
            return filterClient.filter(pod);
        }

        /** kube-scheduler's default binder: one Binding, through the scheduler's client. */
        @Override
        public String bind(Pod pod, String node) throws InterruptedException {
            limiter.acquire();
            try {
                bindings.bind(pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
                        pod.getMetadata().getUid(), node);
                return "";
            } catch (KubernetesClientException e) {
                return e.getMessage();
            }
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
