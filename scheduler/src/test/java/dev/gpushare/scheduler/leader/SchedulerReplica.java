package dev.gpushare.scheduler.leader;

import dev.gpushare.scheduler.SchedulerApplication;
import dev.gpushare.scheduler.support.ExtenderClient;
import dev.gpushare.scheduler.listener.ExtenderListener;
import dev.gpushare.scheduler.support.TestSeals;
import dev.gpushare.scheduler.support.TrustAll;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** One scheduler process: the whole Spring application on a {@link SharedApi}, every listener on a free port. */
final class SchedulerReplica implements AutoCloseable {

    final String name;
    final ConfigurableApplicationContext context;
    final ExtenderClient extender;
    /** Taken once: asking a context that is being closed for a bean makes it try to create the bean again. */
    private final Leadership leadership;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private SchedulerReplica(String name, ConfigurableApplicationContext context) {
        this.name = name;
        this.context = context;
        this.extender = new ExtenderClient(context.getBean(ExtenderListener.class));
        this.leadership = context.getBean(Leadership.class);
    }

    /** Runs replica {@code name} (its pod name and identity) in namespace {@code namespace} with these settings. */
    static SchedulerReplica start(String name, String namespace, String... properties) {
        List<String> all = new ArrayList<>(List.of(
                "hami.kubernetes.mode=cluster", TestSeals.KEY_FILE_PROPERTY,
                "hami.extender.port=0", "hami.webhook.port=0", "management.server.port=0",
                "hami.embedded.api.port=0", "hami.embedded.api.kubeconfig=", "hami.embedded.scheduling.enabled=false",
                "hami.leader-election.identity=" + name,
                "hami.leader-election.lease-namespace=" + namespace,
                "hami.pod.name=" + name, "hami.pod.namespace=" + namespace,
                "hami.extender.sync-wait=1s", "hami.bind.lock-wait=2s", "hami.reconcile.interval=1h",
                "logging.level.root=WARN", "logging.level.dev.gpushare.scheduler.leader=INFO"));
        // A setting given here replaces the default above (Spring would join two values of one key with a comma).
        for (String property : properties) {
            String key = property.substring(0, property.indexOf('=') + 1);
            all.removeIf(p -> p.startsWith(key));
            all.add(property);
        }
        // As command-line arguments: they override application.yaml (builder properties would not).
        return new SchedulerReplica(name, new SpringApplicationBuilder(SchedulerApplication.class)
                .run(all.stream().map(p -> "--" + p).toArray(String[]::new)));
    }

    Leadership leadership() {
        return leadership;
    }

    /** Whether this replica leads with a synced ledger (false once stopped). */
    boolean serving() {
        return context.isActive() && leadership.status().synced();
    }

    int extenderPort() {
        return context.getBean(ExtenderListener.class).port();
    }

    int managementPort() {
        return Integer.parseInt(context.getEnvironment().getProperty("local.management.port"));
    }

    /** HTTP status of {@code GET path} on a port of this replica. */
    int status(int port, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code POST /webhook} on this replica's TLS port (its throwaway certificate); the answer's body. */
    String webhook(String admissionReview) {
        HttpClient tls = HttpClient.newBuilder().sslContext(TrustAll.context())
                .sslParameters(TrustAll.withoutHostnameCheck()).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        int port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
        try {
            HttpResponse<String> response = tls.send(HttpRequest.newBuilder(
                    URI.create("https://127.0.0.1:" + port + "/webhook")).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(admissionReview)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("webhook answered HTTP " + response.statusCode());
            }
            return response.body();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code /readyz} on the management and on the extender listener. */
    List<Integer> readyz() {
        return List.of(status(managementPort(), "/readyz"), status(extenderPort(), "/readyz"));
    }

    List<Integer> healthz() {
        return List.of(status(managementPort(), "/healthz"), status(extenderPort(), "/healthz"));
    }

    @Override
    public void close() {
        context.close();
    }
}
