package dev.gpushare.scheduler.embedded;

import io.fabric8.kubernetes.api.model.Binding;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesResponseComposer;
import io.fabric8.kubernetes.client.server.mock.crud.KubernetesCrudDispatcherException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.ByteString;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import io.fabric8.zjsonpatch.JsonPatchException;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * fabric8's CRUD mock dispatcher, made to answer like a real API server where the stock one does not:
 * <ul>
 *   <li>{@code POST pods/{name}/binding} sets {@code spec.nodeName} (404 for an unknown pod, 409 when the pod is
 *       already bound or the binding's UID does not match) instead of storing a Binding object;</li>
 *   <li>a JSON Patch whose {@code test} operation (or any other operation) fails gets 422 instead of no answer;</li>
 *   <li>a JSON merge patch follows RFC 7386: a {@code null} removes the key (the stock one stores the null);</li>
 *   <li>field selectors on any field, in lists and watches ({@code spec.nodeName=...}, {@code !=}); the stock
 *       one knows only {@code metadata.name} and {@code metadata.namespace} and matches nothing else;</li>
 *   <li>plain-HTTP watches (what kubectl and Go clients send) are streamed by {@link WatchStream};</li>
 *   <li>closing a watch never stalls the server: the stock watch listener waits up to a minute on the network
 *       thread for its pending events, which need that very thread to be sent;</li>
 *   <li>any other failure inside the dispatcher is a 500 {@code Status}, never a hung request;</li>
 *   <li>an object asked for by name is found through a {@link NameIndex}, not by a scan of the whole store;</li>
 *   <li>Events are kept in a store of their own, as etcd keeps them under their own prefix: the stock store finds
 *       every object by scanning all of them, and a burst of a few hundred pods writes thousands of Events, which
 *       made every pod and node request several times slower.</li>
 * </ul>
 * The stock behaviour kept: {@code resourceVersion} is enforced (409), strategic-merge patches get 415.
 * Serves the embedded mode and every API test.
 */
public class ApiServerDispatcher extends KubernetesCrudDispatcher implements PlainWatches {

    private static final Logger log = LoggerFactory.getLogger(ApiServerDispatcher.class);
    private static final Pattern BINDING =
            Pattern.compile("^/api/v1/namespaces/([^/]+)/pods/([^/?]+)/binding(?:\\?.*)?$");
    private static final int UNPROCESSABLE_ENTITY = 422;
    private static final String FIELD_SELECTOR = "fieldSelector";
    private static final int BIND_ATTEMPTS = 100;
    private static final Executor WATCH_CLOSER = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "embedded-api-watch-close");
        thread.setDaemon(true);
        return thread;
    });

    private static final Pattern EVENTS =
            Pattern.compile("^/(api/v1|apis/events\\.k8s\\.io/[^/]+)/(namespaces/[^/]+/)?events(?:[/?].*)?$");

    private static final KubernetesResponseComposer LISTS = new KubernetesResponseComposer();

    /** The store of the Events ({@code null} in that store itself). */
    private final ApiServerDispatcher events;
    private final NameIndex names = new NameIndex();
    /** The parent's resource version counter as of its last increment: the version of a list. */
    private final AtomicLong lastVersion = new AtomicLong();

    public ApiServerDispatcher() {
        this(new ApiServerDispatcher(null));
    }

    private ApiServerDispatcher(ApiServerDispatcher events) {
        this.events = events;
    }

    /** The Events' store for a request about Events; {@code null} for any other. */
    private ApiServerDispatcher eventsFor(String path) {
        return events != null && path != null && EVENTS.matcher(path).matches() ? events : null;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        try {
            return super.dispatch(request);
        } catch (JsonPatchException e) {
            return status(UNPROCESSABLE_ENTITY, "Invalid", "the server rejected our request due to an error in our"
                    + " request: " + e.getMessage());
        } catch (RuntimeException e) {
            log.warn("embedded API server failed on {} {}", request.getMethod(), request.getPath(), e);
            return status(HttpURLConnection.HTTP_INTERNAL_ERROR, "InternalError", String.valueOf(e.getMessage()));
        }
    }

    @Override
    public MockResponse handleCreate(RecordedRequest request) {
        ApiServerDispatcher eventStore = eventsFor(request.getPath());
        if (eventStore != null) {
            return eventStore.handleCreate(request);
        }
        Matcher binding = BINDING.matcher(request.getPath());
        if (binding.matches()) {
            return bind(binding.group(1), binding.group(2), request.getBody().readUtf8());
        }
        return super.handleCreate(request);
    }

    /**
     * An Event from the Events' store, an object by name from the {@link NameIndex}, a list with a field selector on
     * any field as the API server serves {@code spec.nodeName=...}; anything else the stock way.
     */
    @Override
    public MockResponse handleGet(String path) {
        ApiServerDispatcher eventStore = eventsFor(path);
        if (eventStore != null) {
            return eventStore.handleGet(path);
        }
        Query query = Query.of(path);
        if ("true".equals(query.get("watch"))) {
            return super.handleGet(path);
        }
        if (query.get(FIELD_SELECTOR) == null) {
            Map.Entry<AttributeSet, String> named = names.find(getKey(path), map);
            return named != null ? new MockResponse().setResponseCode(HttpURLConnection.HTTP_OK)
                    .setBody(named.getValue()) : super.handleGet(path);
        }
        FieldSelector selector;
        try {
            selector = FieldSelector.parse(query.get(FIELD_SELECTOR));
        } catch (IllegalArgumentException e) {
            return status(HttpURLConnection.HTTP_BAD_REQUEST, "BadRequest", e.getMessage());
        }
        String listed = query.without(FIELD_SELECTOR).toString();
        AttributeSet collection = getKey(listed);
        if (collection.containsKey(KubernetesAttributesExtractor.NAME)) {
            return super.handleGet(listed);  // one object by name: no list to select from
        }
        // Only the objects that can match are parsed: a bind lists a node's pods among all of the cluster's.
        List<String> items = new ArrayList<>();
        for (Map.Entry<AttributeSet, String> entry : new ArrayList<>(map.entrySet())) {
            if (entry.getKey().matches(collection) && selector.mayMatch(entry.getValue())
                    && selector.matches(Serialization.jsonMapper().readTree(entry.getValue()))) {
                items.add(entry.getValue());
            }
        }
        return new MockResponse().setResponseCode(HttpURLConnection.HTTP_OK)
                .setBody(LISTS.compose(items, String.valueOf(lastVersion.get())));
    }

    @Override
    public MockResponse handlePatch(RecordedRequest request) {
        ApiServerDispatcher eventStore = eventsFor(request.getPath());
        return eventStore != null ? eventStore.handlePatch(request) : super.handlePatch(request);
    }

    @Override
    public MockResponse handleUpdate(RecordedRequest request) {
        ApiServerDispatcher eventStore = eventsFor(request.getPath());
        return eventStore != null ? eventStore.handleUpdate(request) : super.handleUpdate(request);
    }

    @Override
    public MockResponse handleDelete(String path) {
        ApiServerDispatcher eventStore = eventsFor(path);
        return eventStore != null ? eventStore.handleDelete(path) : super.handleDelete(path);
    }

    @Override
    public long requestResourceVersion() {
        long version = super.requestResourceVersion();
        lastVersion.accumulateAndGet(version, Math::max);
        return version;
    }

    /** Keeps the {@link NameIndex} equal to the keys the parent stores. */
    @Override
    public void processEvent(String path, AttributeSet pathAttributes, AttributeSet oldAttributes,
                             GenericKubernetesResource resource, String newState) {
        super.processEvent(path, pathAttributes, oldAttributes, resource, newState);
        names.remove(oldAttributes);
        if (newState != null) {
            names.add(storedKey(pathAttributes, resource, newState));
        }
    }

    /** The key the parent stores an object under (its {@code processEvent}). */
    private AttributeSet storedKey(AttributeSet pathAttributes, GenericKubernetesResource resource, String state) {
        KubernetesAttributesExtractor extractor = (KubernetesAttributesExtractor) getAttributeExtractor();
        AttributeSet key = resource != null ? extractor.extract(resource) : extractor.fromResource(state);
        return key.containsKey(KubernetesAttributesExtractor.PLURAL) ? key : AttributeSet.merge(pathAttributes, key);
    }

    /** An object by name from the index (a create looks for its name first: a miss must not scan the store). */
    @Override
    public Map.Entry<AttributeSet, String> findResource(AttributeSet query) {
        return query.containsKey(KubernetesAttributesExtractor.NAME) ? names.find(query, map)
                : super.findResource(query);
    }

    @Override
    public void reset() {
        super.reset();
        names.clear();
        if (events != null) {
            events.reset();
        }
    }

    /** A watch with a field selector on any field; the stock watch knows only {@code metadata.name/namespace}. */
    @Override
    public MockResponse handleWatch(String path) {
        ApiServerDispatcher eventStore = eventsFor(path);
        if (eventStore != null) {
            return eventStore.handleWatch(path);
        }
        Query query = Query.of(path);
        FieldSelector selector = null;
        if (query.get(FIELD_SELECTOR) != null) {
            try {
                selector = FieldSelector.parse(query.get(FIELD_SELECTOR));
            } catch (IllegalArgumentException e) {
                return status(HttpURLConnection.HTTP_BAD_REQUEST, "BadRequest", e.getMessage());
            }
        }
        MockResponse response = super.handleWatch(query.without(FIELD_SELECTOR).toString());
        return response.withWebSocketUpgrade(new ClosingOffTheEventLoop(response.getWebSocketListener(), selector));
    }

    @Override
    public WatchStream.Started watch(RecordedRequest request, Consumer<String> sink) {
        return WatchStream.open(this, request.getPath(), UnaryOperator.identity(), sink);
    }

    /**
     * Runs the watch listener's close and failure handling on another thread: they wait for the listener's send
     * queue, whose sends complete on the event loop that delivers the close. Passes on only the events whose object
     * matches the watch's field selector (none: every event).
     */
    private static final class ClosingOffTheEventLoop extends WebSocketListener {

        private final WebSocketListener delegate;
        private final FieldSelector selector;

        ClosingOffTheEventLoop(WebSocketListener delegate, FieldSelector selector) {
            this.delegate = delegate;
            this.selector = selector;
        }

        @Override
        public void onBeforeAccept(WebSocket webSocket, Response response) {
            delegate.onBeforeAccept(webSocket, response);
        }

        @Override
        public void onOpen(WebSocket webSocket, Response response) {
            delegate.onOpen(selector == null ? webSocket : new Selecting(webSocket, selector), response);
        }

        @Override
        public void onMessage(WebSocket webSocket, String text) {
            delegate.onMessage(webSocket, text);
        }

        @Override
        public void onMessage(WebSocket webSocket, ByteString bytes) {
            delegate.onMessage(webSocket, bytes);
        }

        @Override
        public void onMessage(WebSocket webSocket, byte[] bytes) {
            delegate.onMessage(webSocket, bytes);
        }

        @Override
        public void onPing(WebSocket webSocket, byte[] bytes) {
            delegate.onPing(webSocket, bytes);
        }

        @Override
        public void onClosing(WebSocket webSocket, int code, String reason) {
            delegate.onClosing(webSocket, code, reason);
        }

        @Override
        public void onClosed(WebSocket webSocket, int code, String reason) {
            WATCH_CLOSER.execute(() -> delegate.onClosed(webSocket, code, reason));
        }

        @Override
        public void onFailure(WebSocket webSocket, Throwable failure, Response response) {
            WATCH_CLOSER.execute(() -> delegate.onFailure(webSocket, failure, response));
        }
    }

    /** A watch's socket that sends only the events whose object matches a field selector. */
    private record Selecting(WebSocket socket, FieldSelector selector) implements WebSocket {

        @Override
        public RecordedRequest request() {
            return socket.request();
        }

        @Override
        public boolean send(String text) {
            return !selector.matches(Serialization.jsonMapper().readTree(text).path("object")) || socket.send(text);
        }

        @Override
        public boolean send(byte[] bytes) {
            return send(new String(bytes, StandardCharsets.UTF_8));
        }

        @Override
        public boolean close(int code, String reason) {
            return socket.close(code, reason);
        }
    }

    /** RFC 7386 (the parent stores {@code null} values instead of removing the keys). */
    @Override
    public JsonNode merge(JsonNode base, String patch) throws KubernetesCrudDispatcherException {
        return mergePatch(base.deepCopy(), asNode(patch));
    }

    private static JsonNode mergePatch(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch;
        }
        ObjectNode result = target != null && target.isObject() ? (ObjectNode) target
                : JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, JsonNode> field : patch.properties()) {
            if (field.getValue().isNull()) {
                result.remove(field.getKey());
            } else {
                result.set(field.getKey(), mergePatch(result.get(field.getKey()), field.getValue()));
            }
        }
        return result;
    }

    private MockResponse bind(String namespace, String name, String body) {
        Binding binding = Serialization.unmarshal(body, Binding.class);
        if (binding == null || binding.getTarget() == null || binding.getTarget().getName() == null
                || binding.getTarget().getName().isEmpty()) {
            return status(UNPROCESSABLE_ENTITY, "Invalid", "Binding.target.name: Required value");
        }
        String podPath = "/api/v1/namespaces/" + namespace + "/pods/" + name;
        String node = binding.getTarget().getName();
        // Compare-and-set on the pod's resourceVersion: the parent's lock is private, so a concurrent writer
        // shows up as a 409 from the patch and we re-read.
        for (int attempt = 0; attempt < BIND_ATTEMPTS; attempt++) {
            MockResponse current = handleGet(podPath);
            if (current.code() == HttpURLConnection.HTTP_NOT_FOUND) {
                return status(HttpURLConnection.HTTP_NOT_FOUND, "NotFound", "pods \"" + name + "\" not found");
            }
            Pod pod = Serialization.unmarshal(current.getBody().readUtf8(), Pod.class);
            String wantedUid = binding.getMetadata() == null ? null : binding.getMetadata().getUid();
            if (wantedUid != null && !wantedUid.isEmpty() && !wantedUid.equals(pod.getMetadata().getUid())) {
                return status(HttpURLConnection.HTTP_CONFLICT, "Conflict", "Operation cannot be fulfilled on pods/"
                        + "binding \"" + name + "\": Precondition failed: UID in precondition: " + wantedUid
                        + ", UID in object meta: " + pod.getMetadata().getUid());
            }
            String assigned = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
            if (assigned != null && !assigned.isEmpty()) {
                return status(HttpURLConnection.HTTP_CONFLICT, "Conflict", "Operation cannot be fulfilled on pods/"
                        + "binding \"" + name + "\": pod " + name + " is already assigned to node \"" + assigned + "\"");
            }
            String patch = Serialization.asJson(Map.of(
                    "metadata", Map.of("resourceVersion", pod.getMetadata().getResourceVersion()),
                    "spec", Map.of("nodeName", node)));
            MockResponse patched = handlePatch(new RecordedRequest("HTTP/1.1", HttpMethod.PATCH, podPath,
                    Headers.builder().add("Content-Type", "application/merge-patch+json").build(),
                    new Buffer().writeUtf8(patch)));
            if (patched.code() != HttpURLConnection.HTTP_CONFLICT) {
                return patched.code() / 100 == 2
                        ? new MockResponse().setResponseCode(HttpURLConnection.HTTP_CREATED).setBody(Serialization.asJson(
                                new StatusBuilder().withStatus("Success").withCode(HttpURLConnection.HTTP_CREATED).build()))
                        : patched;
            }
        }
        return status(HttpURLConnection.HTTP_CONFLICT, "Conflict", "pod " + name + " kept changing while binding it");
    }

    private static MockResponse status(int code, String reason, String message) {
        Status status = new StatusBuilder().withStatus("Failure").withCode(code).withReason(reason)
                .withMessage(message).build();
        return new MockResponse().setResponseCode(code).setBody(Serialization.asJson(status));
    }
}
