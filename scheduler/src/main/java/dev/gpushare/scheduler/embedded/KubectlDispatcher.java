package dev.gpushare.scheduler.embedded;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The embedded API as kubectl and the API server's own machinery need it, in front of {@link ApiServerDispatcher}
 * (which keeps the objects, serves field selectors and streams watches): discovery documents, server-side tables
 * (in plain-HTTP watches too), the mutating admission of created pods ({@link PodAdmission}, the API server's
 * webhook call, with the API server's defaulting before it), and the {@code PodScheduled=True} condition that a
 * Binding sets.
 */
public final class KubectlDispatcher extends Dispatcher implements PlainWatches {

    private static final Pattern POD_COLLECTION = Pattern.compile("^/api/v1/namespaces/([^/]+)/pods$");
    private static final Pattern BINDING = Pattern.compile("^/api/v1/namespaces/([^/]+)/pods/([^/]+)/binding$");
    private static final ObjectMapper MAPPER = Serialization.jsonMapper();

    private final ApiServerDispatcher store;
    private final Clock clock;
    private volatile PodAdmission admission = PodAdmission.NONE;

    public KubectlDispatcher(ApiServerDispatcher store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** Set once the webhook listener is up; until then pods are stored as they come. */
    public void admitPodsWith(PodAdmission admission) {
        this.admission = admission;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        Query query = Query.of(request.getPath());
        String path = query.path();
        if (request.method() == HttpMethod.GET) {
            Optional<Object> document = DiscoveryDocuments.at(path);
            if (document.isPresent()) {
                return json(HttpURLConnection.HTTP_OK, MAPPER.writeValueAsString(document.get()));
            }
            if (path.equals("/openapi/v2")) {
                // An empty OpenAPI v2 document (protobuf, as kubectl asks for it) names no kind, so kubectl
                // validates nothing client-side; a 404 would make every `kubectl apply` fail.
                return new MockResponse().setResponseCode(HttpURLConnection.HTTP_OK)
                        .setHeader("Content-Type", "application/octet-stream")
                        .setBody(new byte[0]);
            }
            if (path.startsWith("/openapi")) {
                return status(HttpURLConnection.HTTP_NOT_FOUND, "NotFound", "the server could not find the"
                        + " requested resource");
            }
            if (!"true".equals(query.get("watch")) && !"1".equals(query.get("watch"))) {
                return get(request, query);
            }
        }
        if (request.method() == HttpMethod.POST) {
            Matcher pods = POD_COLLECTION.matcher(path);
            if (pods.matches()) {
                return createPod(request, pods.group(1));
            }
            Matcher binding = BINDING.matcher(path);
            if (binding.matches()) {
                MockResponse response = store.dispatch(request);
                if (response.code() / 100 == 2) {
                    markScheduled(binding.group(1), binding.group(2));
                }
                return response;
            }
        }
        if (request.method() == HttpMethod.PATCH && String.valueOf(request.getHeader("Content-Type"))
                .startsWith("application/strategic-merge-patch+json")) {
            return strategicPatch(request, path);
        }
        return store.dispatch(request);
    }

    private MockResponse strategicPatch(RecordedRequest request, String path) {
        MockResponse current = store.handleGet(path);
        if (current.code() != HttpURLConnection.HTTP_OK) {
            return current;
        }
        JsonNode patch;
        try {
            patch = MAPPER.readTree(request.getBody().readUtf8());
        } catch (RuntimeException e) {
            return status(HttpURLConnection.HTTP_BAD_REQUEST, "BadRequest", "the patch is not valid JSON");
        }
        JsonNode merge = StrategicMergePatch.toMergePatch(MAPPER.readTree(current.getBody().readUtf8()), patch);
        return store.dispatch(new RecordedRequest(request.getHttpVersion(), HttpMethod.PATCH, request.getPath(),
                Headers.builder().add("Content-Type", "application/merge-patch+json").build(),
                new Buffer().writeUtf8(MAPPER.writeValueAsString(merge))));
    }

    private MockResponse get(RecordedRequest request, Query query) {
        String path = query.path();
        MockResponse response = store.dispatch(new RecordedRequest(request.getHttpVersion(), HttpMethod.GET,
                request.getPath(), request.getHeaders(), new Buffer()));
        boolean table = ServerTables.wanted(request.getHeader("Accept"));
        if (response.code() != HttpURLConnection.HTTP_OK) {
            return response;
        }
        JsonNode body = MAPPER.readTree(response.getBody().readUtf8());
        String kind = DiscoveryDocuments.kindOf(path);
        if ("List".equals(body.path("kind").asString()) && !kind.isEmpty()) {
            // The mock calls every list "List"; Go clients decode a typed list only from its own kind.
            ((ObjectNode) body).put("kind", kind + "List");
        }
        if (body.has("items") && body.get("items").isArray()) {
            // The API server lists in key order (namespace, then name); the mock in no particular order.
            List<JsonNode> kept = new ArrayList<>();
            body.get("items").forEach(kept::add);
            kept.sort(Comparator.comparing((JsonNode item) -> item.path("metadata").path("namespace").asString())
                    .thenComparing(item -> item.path("metadata").path("name").asString()));
            ArrayNode items = MAPPER.createArrayNode();
            kept.forEach(items::add);
            ((ObjectNode) body).set("items", items);
        }
        JsonNode answer = table ? ServerTables.of(body, kind, query.get("includeObject"), clock.instant()) : body;
        return json(HttpURLConnection.HTTP_OK, MAPPER.writeValueAsString(answer));
    }

    /** A plain-HTTP watch; each event's object as a one-row server-side table when kubectl asks for tables. */
    @Override
    public WatchStream.Started watch(RecordedRequest request, Consumer<String> sink) {
        Query query = Query.of(request.getPath());
        UnaryOperator<ObjectNode> view = UnaryOperator.identity();
        if (ServerTables.wanted(request.getHeader("Accept"))) {
            String kind = DiscoveryDocuments.kindOf(query.path());
            view = object -> {
                ObjectNode list = MAPPER.createObjectNode();
                list.put("kind", kind + "List");
                list.putArray("items").add(object);
                return ServerTables.of(list, kind, query.get("includeObject"), clock.instant());
            };
        }
        return WatchStream.open(store, request.getPath(), view, sink);
    }

    private MockResponse createPod(RecordedRequest request, String namespace) {
        JsonNode parsed;
        try {
            parsed = MAPPER.readTree(request.getBody().readUtf8());
        } catch (RuntimeException e) {
            return status(HttpURLConnection.HTTP_BAD_REQUEST, "BadRequest", "the pod is not valid JSON");
        }
        if (!(parsed instanceof ObjectNode pod)) {
            return status(HttpURLConnection.HTTP_BAD_REQUEST, "BadRequest", "the pod is not a JSON object");
        }
        defaults(pod, namespace);
        PodAdmission.Verdict verdict = admission.review(pod.deepCopy());
        if (verdict instanceof PodAdmission.Verdict.Denied denied) {
            return status(HttpURLConnection.HTTP_BAD_REQUEST, "BadRequest",
                    "admission webhook \"vgpu.hami.io\" denied the request: " + denied.message());
        }
        ObjectNode admitted = ((PodAdmission.Verdict.Allowed) verdict).pod();
        return store.dispatch(new RecordedRequest(request.getHttpVersion(), HttpMethod.POST, request.getPath(),
                request.getHeaders(), new Buffer().writeUtf8(MAPPER.writeValueAsString(admitted))));
    }

    /** What the API server fills in before admission (the mock stamps UID and creation time when it stores). */
    private void defaults(ObjectNode pod, String namespace) {
        ObjectNode metadata = pod.has("metadata") && pod.get("metadata").isObject() ? (ObjectNode) pod.get("metadata")
                : pod.putObject("metadata");
        metadata.put("namespace", namespace);
        ObjectNode spec = pod.has("spec") && pod.get("spec").isObject() ? (ObjectNode) pod.get("spec")
                : pod.putObject("spec");
        if (spec.path("schedulerName").asString().isEmpty()) {
            spec.put("schedulerName", "default-scheduler");
        }
        ObjectNode status = pod.has("status") && pod.get("status").isObject() ? (ObjectNode) pod.get("status")
                : pod.putObject("status");
        if (status.path("phase").asString().isEmpty()) {
            status.put("phase", "Pending");
        }
    }

    /** A successful Binding sets {@code PodScheduled=True}, as the API server's binding storage does. */
    private void markScheduled(String namespace, String name) {
        String podPath = "/api/v1/namespaces/" + namespace + "/pods/" + name;
        MockResponse current = store.handleGet(podPath);
        if (current.code() != HttpURLConnection.HTTP_OK) {
            return;
        }
        JsonNode pod = MAPPER.readTree(current.getBody().readUtf8());
        ArrayNode conditions = MAPPER.createArrayNode();
        pod.path("status").path("conditions").forEach(condition -> {
            if (!"PodScheduled".equals(condition.path("type").asString())) {
                conditions.add(condition);
            }
        });
        ObjectNode scheduled = conditions.addObject();
        scheduled.put("type", "PodScheduled");
        scheduled.put("status", "True");
        scheduled.putNull("lastProbeTime");
        scheduled.put("lastTransitionTime", now());
        ObjectNode patch = MAPPER.createObjectNode();
        patch.putObject("metadata").put("resourceVersion", pod.path("metadata").path("resourceVersion").asString());
        patch.putObject("status").set("conditions", conditions);
        // A conflict means someone else wrote the pod in between; the condition is informational, so we leave it.
        store.handlePatch(new RecordedRequest("HTTP/1.1", HttpMethod.PATCH, podPath + "/status",
                Headers.builder().add("Content-Type", "application/merge-patch+json").build(),
                new Buffer().writeUtf8(MAPPER.writeValueAsString(patch))));
    }

    private String now() {
        return DateTimeFormatter.ISO_INSTANT.format(clock.instant().truncatedTo(ChronoUnit.SECONDS));
    }

    private static MockResponse json(int code, String body) {
        return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json").setBody(body);
    }

    private static MockResponse status(int code, String reason, String message) {
        return json(code, MAPPER.writeValueAsString(Map.of("kind", "Status", "apiVersion", "v1",
                "metadata", Map.of(), "status", "Failure", "message", message, "reason", reason, "code", code)));
    }
}
