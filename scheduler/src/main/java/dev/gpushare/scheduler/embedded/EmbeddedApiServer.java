package dev.gpushare.scheduler.embedded;

import dev.gpushare.scheduler.kube.KubernetesClients;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * An in-process Kubernetes API on loopback (fabric8's mock server in CRUD mode with {@link ApiServerDispatcher}):
 * the cluster of {@code hami.kubernetes.mode=embedded}, and the API of every test.
 */
public final class EmbeddedApiServer implements AutoCloseable {

    /** The mock server logs every request at INFO through java.util.logging; held so the setting sticks. */
    private static final Logger REQUEST_LOG = quiet("io.fabric8.mockwebserver");

    private final MockWebServer webServer = new MockWebServer();
    private final KubernetesMockServer server;
    private final ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "embedded-api-housekeeping");
        thread.setDaemon(true);
        return thread;
    });

    private EmbeddedApiServer(Dispatcher dispatcher) {
        server = new KubernetesMockServer(new Context(Serialization.jsonMapper()), webServer, new HashMap<>(),
                dispatcher, false);
    }

    /**
     * Starts a server on the loopback address; {@code port} 0 picks a free one. {@code dispatcher} is an
     * {@link ApiServerDispatcher}, or something in front of one.
     */
    public static EmbeddedApiServer start(Dispatcher dispatcher, int port) {
        EmbeddedApiServer api = new EmbeddedApiServer(dispatcher);
        api.server.start(InetAddress.getLoopbackAddress(), port);
        // The mock server records every request for test assertions; a long-running process must not keep them.
        api.housekeeping.scheduleWithFixedDelay(api.webServer::reset, 30, 30, TimeUnit.SECONDS);
        return api;
    }

    private static Logger quiet(String name) {
        Logger logger = Logger.getLogger(name);
        logger.setLevel(Level.WARNING);
        return logger;
    }

    public String url() {
        return server.url("/");
    }

    public int port() {
        return server.getPort();
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
        housekeeping.shutdownNow();
        server.destroy();
    }
}
