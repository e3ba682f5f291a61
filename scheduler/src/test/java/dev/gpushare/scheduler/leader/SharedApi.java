package dev.gpushare.scheduler.leader;

import dev.gpushare.scheduler.embedded.EmbeddedApiServer;
import dev.gpushare.scheduler.embedded.TestApiServerDispatcher;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.HashMap;
import java.util.Map;

/**
 * One mock API for several scheduler replicas in this JVM: the replicas run with {@code hami.kubernetes.mode=cluster}
 * and find it through fabric8's system properties, which are restored on {@link #close()}.
 */
final class SharedApi implements AutoCloseable {

    private final EmbeddedApiServer server;
    final KubernetesClient client;
    private final Map<String, String> previous = new HashMap<>();

    private SharedApi() {
        server = EmbeddedApiServer.start(new TestApiServerDispatcher(), 0);
        client = server.newClient();
        set("kubernetes.master", server.url());
        set("kubernetes.namespace", "default");
        set("kubernetes.auth.tryKubeConfig", "false");
        set("kubernetes.auth.tryServiceAccount", "false");
        set("kubernetes.http2.disable", "true");
    }

    static SharedApi start() {
        return new SharedApi();
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
        client.close();
        server.close();
    }
}
