package dev.gpushare.scheduler.embedded;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;

/**
 * Plays the control plane around our listeners once they are up: the API server's webhook call on pod creation,
 * kube-scheduler (a {@link SchedulingDriver} on the extender listener) and kubelet ({@link KubeletEmulator}).
 */
final class EmbeddedKubeScheduler implements ApplicationListener<WebServerInitializedEvent>, AutoCloseable {

    /** What is started once the ports are known. */
    record Parts(SchedulingDriver driver, KubeletEmulator kubelet) {
    }

    private final KubectlDispatcher api;
    private final Path webhookCertificate;
    private final java.util.function.IntSupplier extenderPort;
    private final Function<SchedulerExtender, Parts> parts;
    private final List<AutoCloseable> running = new ArrayList<>();

    EmbeddedKubeScheduler(KubectlDispatcher api, Path webhookCertificate, java.util.function.IntSupplier extenderPort,
                          Function<SchedulerExtender, Parts> parts) {
        this.api = api;
        this.webhookCertificate = webhookCertificate;
        this.extenderPort = extenderPort;
        this.parts = parts;
    }

    @Override
    public synchronized void onApplicationEvent(WebServerInitializedEvent event) {
        if (event.getApplicationContext().getServerNamespace() != null || !running.isEmpty()) {
            return; // the management server, or already started
        }
        api.admitPodsWith(WebhookAdmission.trusting(webhookCertificate, event.getWebServer().getPort()));
        Parts started = parts.apply(new ExtenderHttpClient(URI.create("http://127.0.0.1:" + extenderPort.getAsInt())));
        started.kubelet().start();
        running.add(started.kubelet());
        started.driver().start();
        running.add(started.driver());
    }

    @Override
    public synchronized void close() throws Exception {
        api.admitPodsWith(PodAdmission.NONE);
        for (AutoCloseable part : running) {
            part.close();
        }
        running.clear();
    }
}
