package dev.gpushare.scheduler.embedded;

import dev.gpushare.scheduler.kube.KubernetesClients;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.vertx.HttpServerRequestHandler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * An in-process Kubernetes API on loopback: a Vert.x HTTP server answering through a fabric8 mock dispatcher in CRUD
 * mode ({@link ApiServerDispatcher}, or {@link KubectlDispatcher} in front of one). It is the cluster of
 * {@code hami.kubernetes.mode=embedded} and the API of every test. Requests and WebSocket watches (fabric8's
 * clients) go to the dispatcher as fabric8's mock server would pass them; a plain-HTTP watch
 * ({@code ?watch=true} without an upgrade, kubectl's and every Go client's) is streamed by {@link WatchStream}
 * when the dispatcher serves them ({@link PlainWatches}), ending after its {@code timeoutSeconds}.
 */
public final class EmbeddedApiServer implements AutoCloseable {

    /** The WebSocket sub-protocols of exec/attach that fabric8's mock server accepts too. */
    private static final List<String> SUB_PROTOCOLS =
            List.of("v1.channel.k8s.io", "v2.channel.k8s.io", "v3.channel.k8s.io", "v4.channel.k8s.io");

    private final Vertx vertx;
    private final HttpServer server;
    /** The plain-HTTP watches being streamed, ended when the server closes. */
    private final Map<HttpServerResponse, WatchStream> streams = new ConcurrentHashMap<>();

    private EmbeddedApiServer(Vertx vertx, HttpServer server) {
        this.vertx = vertx;
        this.server = server;
    }

    /**
     * Starts a server on the loopback address; {@code port} 0 picks a free one. {@code dispatcher} is an
     * {@link ApiServerDispatcher}, or something in front of one.
     */
    public static EmbeddedApiServer start(Dispatcher dispatcher, int port) {
        Vertx vertx = Vertx.vertx();
        HttpServerRequestHandler mock = new HttpServerRequestHandler(vertx) {
            @Override
            protected MockResponse onHttpRequest(RecordedRequest request) {
                return dispatcher.dispatch(request);
            }
        };
        HttpServer http = vertx.createHttpServer(new HttpServerOptions()
                .setHost(InetAddress.getLoopbackAddress().getHostAddress()).setPort(port)
                .setWebSocketSubProtocols(SUB_PROTOCOLS).setHandle100ContinueAutomatically(true));
        EmbeddedApiServer api = new EmbeddedApiServer(vertx, http);
        http.requestHandler(request -> {
            if (dispatcher instanceof PlainWatches watches && plainWatch(request)) {
                api.stream(watches, request);
            } else {
                mock.handle(request);
            }
        });
        try {
            http.listen().toCompletionStage().toCompletableFuture().get();
        } catch (ExecutionException e) {
            vertx.close();
            throw new IllegalStateException("cannot listen on port " + port + ": " + e.getCause().getMessage(),
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            vertx.close();
            throw new IllegalStateException("interrupted while starting the embedded API", e);
        }
        return api;
    }

    private static boolean plainWatch(HttpServerRequest request) {
        if (request.method() != io.vertx.core.http.HttpMethod.GET
                || "websocket".equalsIgnoreCase(request.getHeader("Upgrade"))) {
            return false;
        }
        String watch = request.getParam("watch");
        return "true".equals(watch) || "1".equals(watch);
    }

    private void stream(PlainWatches watches, HttpServerRequest request) {
        HttpServerResponse response = request.response();
        Headers.Builder headers = Headers.builder();
        request.headers().forEach(header -> headers.add(header.getKey(), header.getValue()));
        RecordedRequest recorded = new RecordedRequest("HTTP/1.1", HttpMethod.GET, request.uri(), headers.build(),
                new Buffer());
        response.setChunked(true).putHeader("Content-Type", "application/json");
        WatchStream.Started started = watches.watch(recorded, line -> response.write(line));
        if (started instanceof WatchStream.Started.Refused refused) {
            MockResponse answer = refused.response();
            response.setChunked(false).setStatusCode(answer.code()).end(answer.getBody().readUtf8());
            return;
        }
        WatchStream stream = ((WatchStream.Started.Streaming) started).stream();
        streams.put(response, stream);
        response.closeHandler(closed -> {
            stream.close();
            streams.remove(response);
        });
        if (!response.headWritten()) {
            // Nothing to replay: the client sees the answer start now, not with the first change.
            response.writeHead();
        }
        long timeout = timeoutSeconds(request.getParam("timeoutSeconds"));
        if (timeout > 0) {
            vertx.setTimer(timeout * 1000, id -> end(response));
        }
    }

    /** Ends one stream, as the API server does when a watch's timeout is up. */
    private void end(HttpServerResponse response) {
        WatchStream stream = streams.remove(response);
        if (stream != null) {
            stream.close();
            response.end();
        }
    }

    private static long timeoutSeconds(String value) {
        if (value == null || !value.matches("\\d{1,9}")) {
            return 0;
        }
        return Long.parseLong(value);
    }

    /** How many plain-HTTP watches are being streamed now. */
    int watchesStreaming() {
        return streams.size();
    }

    public String url() {
        return "http://127.0.0.1:" + port() + "/";
    }

    public int port() {
        return server.actualPort();
    }

    /** Client settings for this server; callers may tune them further. */
    public ConfigBuilder clientConfig() {
        return new ConfigBuilder(Config.empty()).withMasterUrl(url()).withNamespace("default")
                .withHttp2Disable(true);
    }

    public KubernetesClient newClient() {
        return new KubernetesClientBuilder().withConfig(KubernetesClients.tune(clientConfig()).build()).build();
    }

    @Override
    public void close() {
        List.copyOf(streams.keySet()).forEach(this::end);
        try {
            server.close().toCompletionStage().toCompletableFuture().get();
        } catch (ExecutionException e) {
            // Closing anyway.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        vertx.close();
    }
}
