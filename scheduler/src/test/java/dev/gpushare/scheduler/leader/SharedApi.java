package dev.gpushare.scheduler.leader;

import dev.gpushare.scheduler.embedded.EmbeddedApiServer;
import dev.gpushare.scheduler.embedded.TestApiServerDispatcher;
import dev.gpushare.scheduler.support.CuttableProxy;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.HashMap;
import java.util.Map;

/**
 * One mock API for several scheduler replicas in this JVM: the replicas run with {@code hami.kubernetes.mode=cluster}
 * and find it through fabric8's system properties, which are restored on {@link #close()}.
 */
final class SharedApi implements AutoCloseable {

    private final EmbeddedApiServer server;
    final TestApiServerDispatcher dispatcher = new TestApiServerDispatcher();
    /** Between the replicas and the server when the API is to go away and come back; else null. */
    private final CuttableProxy proxy;
    final KubernetesClient client;
    private final Map<String, String> previous = new HashMap<>();

    private SharedApi(boolean outages) throws java.io.IOException {
        server = EmbeddedApiServer.start(dispatcher, 0);
        client = server.newClient();
        if (outages) {
            proxy = new CuttableProxy(java.net.URI.create(server.url()).getPort());
            configure("http://127.0.0.1:" + proxy.port() + "/");
        } else {
            proxy = null;
            configure(server.url());
        }
    }

    /** An API that the replicas cannot reach until {@link #up()}; {@link #client} reaches it all the time. */
    static SharedApi down() throws java.io.IOException {
        return new SharedApi(true);
    }

    /** The replicas reach the API (again). */
    void up() throws java.io.IOException {
        proxy.restore();
    }

    /** The replicas' connections are closed and new ones refused, as when the API server goes away. */
    void cut() {
        proxy.cut();
    }

    private void configure(String url) {
        set("kubernetes.master", url);
        set("kubernetes.namespace", "default");
        set("kubernetes.auth.tryKubeConfig", "false");
        set("kubernetes.auth.tryServiceAccount", "false");
        set("kubernetes.http2.disable", "true");
    }

    static SharedApi start() {
        try {
            return new SharedApi(false);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A client of its own, as a separate process would have. */
    KubernetesClient newClient() {
        return server.newClient();
    }

    private void set(String key, String value) {
        previous.put(key, System.getProperty(key));
        System.setProperty(key, value);
    }

    @Override
    public void close() {
        previous.forEach((key, value) -> {
            if (value == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, value);
            }
        });
        if (proxy != null) {
            proxy.close();
        }
        client.close();
        server.close();
    }
}
