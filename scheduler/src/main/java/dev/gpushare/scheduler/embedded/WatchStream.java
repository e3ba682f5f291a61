package dev.gpushare.scheduler.embedded;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.net.HttpURLConnection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * One watch served as the API server streams it over plain HTTP ({@code GET ...?watch=true} without a WebSocket
 * upgrade, what kubectl and every Go client send): a JSON watch event {@code {"type":..,"object":..}} per line.
 * The events come from the store's own watch (the one fabric8 clients get over a WebSocket, with its field and
 * label selectors). What happened between the list a client made and its watch is replayed as the API server does
 * from its watch cache: without a {@code resourceVersion} (or with {@code 0}) every current object as
 * {@code ADDED}; with one, every current object changed since it as {@code MODIFIED} (the store keeps no history:
 * an object deleted in between is not reported). A live event of an object no newer than the replay's list is
 * dropped (deletions aside), so no change is reported twice.
 */
final class WatchStream implements AutoCloseable {

    private static final ObjectMapper MAPPER = Serialization.jsonMapper();

    private final Consumer<String> sink;
    private final UnaryOperator<ObjectNode> view;
    private final WebSocketListener listener;
    private final Object lock = new Object();
    /** Live events that came before the replay was sent; {@code null} once it was. */
    private List<String> held = new ArrayList<>();
    /**
     * The resourceVersion of each object ({@code namespace/name}) as the replay's list had it: the store's watch
     * starts by sending every object it holds, and those, as any event no newer than the list, are dropped.
     */
    private final Map<String, Long> listed = new HashMap<>();
    private boolean closed;

    private WatchStream(Consumer<String> sink, UnaryOperator<ObjectNode> view, WebSocketListener listener) {
        this.sink = sink;
        this.view = view;
        this.listener = listener;
    }

    /**
     * Starts the watch that {@code request} (a {@code GET} of a collection with {@code watch=true}, its label and
     * field selectors, {@code resourceVersion}) asks of {@code store}; each event line goes to {@code sink}, its object
     * shown through {@code view} (e.g. as a server-side table). The store's error answer (a bad selector) is
     * returned instead of a stream.
     */
    static Started open(ApiServerDispatcher store, String request, UnaryOperator<ObjectNode> view,
                        Consumer<String> sink) {
        Query query = Query.of(request);
        String collection = query.without("watch", "resourceVersion", "resourceVersionMatch", "timeoutSeconds",
                "allowWatchBookmarks", "sendInitialEvents").toString();
        MockResponse current = store.handleGet(collection);
        if (current.code() != HttpURLConnection.HTTP_OK) {
            return new Started.Refused(current);
        }
        MockResponse watch = store.handleWatch(Query.of(collection).with("watch", "true").toString());
        if (watch.getWebSocketListener() == null) {
            return new Started.Refused(watch);
        }
        WatchStream stream = new WatchStream(sink, view, watch.getWebSocketListener());
        stream.listener.onOpen(stream.new Socket(), watch);
        // Listed again after the watch is registered, so nothing falls between the two.
        stream.replay(store.handleGet(collection), query.get("resourceVersion"));
        return new Started.Streaming(stream);
    }

    /** What {@link #open} gives: the running stream, or the store's error answer. */
    sealed interface Started {
        record Streaming(WatchStream stream) implements Started {
        }

        record Refused(MockResponse response) implements Started {
        }
    }

    private void replay(MockResponse list, String resourceVersion) {
        long after = version(resourceVersion);
        String type = after <= 0 ? "ADDED" : "MODIFIED";
        JsonNode items = MAPPER.readTree(list.getBody().readUtf8()).path("items");
        synchronized (lock) {
            for (JsonNode item : items) {
                long version = version(item.path("metadata").path("resourceVersion").asString());
                listed.put(key(item), version);
                if (version > after && item instanceof ObjectNode object) {
                    send(type, object);
                }
            }
            held.forEach(this::deliver);
            held = null;
        }
    }

    /** An event of the store's watch; held back until the replay is sent. */
    private void live(String text) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            if (held != null) {
                held.add(text);
            } else {
                deliver(text);
            }
        }
    }

    private void deliver(String text) {
        JsonNode event = MAPPER.readTree(text);
        JsonNode object = event.path("object");
        Long sent = listed.get(key(object));
        String type = event.path("type").asString();
        if (sent != null && !type.equals("DELETED")
                && version(object.path("metadata").path("resourceVersion").asString()) <= sent) {
            return;
        }
        if (object instanceof ObjectNode node) {
            send(type, node);
        }
    }

    private void send(String type, ObjectNode object) {
        ObjectNode event = MAPPER.createObjectNode();
        event.put("type", type);
        event.set("object", view.apply(object.deepCopy()));
        sink.accept(MAPPER.writeValueAsString(event) + "\n");
    }

    private static String key(JsonNode object) {
        return object.path("metadata").path("namespace").asString() + "/"
                + object.path("metadata").path("name").asString();
    }

    private static long version(String resourceVersion) {
        if (resourceVersion == null || resourceVersion.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(resourceVersion);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Stops the stream: the store's watch forgets it; nothing more goes to the sink. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        listener.onClosed(new Socket(), 1000, "watch closed");
    }

    /** The store's watch writes to a WebSocket; this one hands its events to the stream. */
    private final class Socket implements WebSocket {

        @Override
        public RecordedRequest request() {
            return null;
        }

        @Override
        public boolean send(String text) {
            live(text);
            return true;
        }

        @Override
        public boolean send(byte[] bytes) {
            return send(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
        }

        @Override
        public boolean close(int code, String reason) {
            WatchStream.this.close();
            return true;
        }
    }
}
