package dev.gpushare.bench.load;

import dev.gpushare.scheduler.SchedulerApplication;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The service as an operator runs it: a JVM of its own in cluster mode against the driver's API server, with the
 * chart's collector settings, started once for a whole driver run so that every scenario meets a service that has
 * been running (a deployed extender is not restarted per burst). {@code cpus}, when given, binds it to those CPUs
 * with {@code taskset}: the extender's pod does not share its cores with the API server, the device plugins and
 * kube-scheduler's own loop, which on this machine are the driver's process.
 */
final class ServiceProcess implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofMinutes(2);

    private final Process process;
    private final int extenderPort;
    private final int managementPort;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private ServiceProcess(Process process, int extenderPort, int managementPort, Path log) {
        this.process = process;
        this.extenderPort = extenderPort;
        this.managementPort = managementPort;
        this.log = log;
    }

    /**
     * Starts the service against {@code master} and returns once it is ready ({@code /readyz} answers 200).
     *
     * @param jvmOptions its JVM's options (heap, collector)
     * @param cpus       a {@code taskset} CPU list, or {@code null} to share every CPU with the driver
     * @param dir        where its seal key and its log go
     */
    static ServiceProcess start(String master, List<String> jvmOptions, String cpus, Path dir)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path key = dir.resolve("placement-seal.key");
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        Files.deleteIfExists(key);
        Files.createFile(key, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(key, secret);
        int extender = freePort();
        int management = freePort();
        List<String> command = new ArrayList<>();
        if (cpus != null) {
            command.addAll(List.of("taskset", "-c", cpus));
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"),
                "-Dkubernetes.master=" + master, "-Dkubernetes.namespace=default",
                "-Dkubernetes.auth.tryKubeConfig=false", "-Dkubernetes.auth.tryServiceAccount=false",
                SchedulerApplication.class.getName()));
        for (String setting : List.of("hami.kubernetes.mode=cluster", "hami.leader-election.mode=none",
                "hami.extender.port=" + extender, "hami.webhook.port=0", "management.server.port=" + management,
                "hami.ledger.seal-key-file=" + key, "logging.level.root=WARN", "spring.main.banner-mode=off")) {
            command.add("--" + setting);
        }
        Path log = dir.resolve("service.log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(k -> k.equals("KUBECONFIG") || k.startsWith("KUBERNETES_"));
        ServiceProcess service = new ServiceProcess(builder.start(), extender, management, log);
        service.awaitReady();
        return service;
    }

    String extenderUrl() {
        return "http://127.0.0.1:" + extenderPort;
    }

    /** The service's Prometheus endpoint, as a scrape reads it. */
    String scrape() throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(get("/metrics"), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET /metrics answered " + response.statusCode() + "; the service's log: " + log);
        }
        return response.body();
    }

    /** The process's id, for a profiler or {@code jcmd}. */
    long pid() {
        return process.pid();
    }

    private void awaitReady() throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the service exited with " + process.exitValue() + "; its log: "
                        + log);
            }
            try {
                if (http.send(get("/readyz"), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // Not listening yet.
            }
            // A child process's start-up, polled as kubelet's readiness probe does; nothing to wait on instead.
            TimeUnit.MILLISECONDS.sleep(200);
        }
        close();
        throw new IllegalStateException("the service was not ready after " + START_TIMEOUT + "; its log: " + log);
    }

    private HttpRequest get(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
                .timeout(Duration.ofSeconds(10)).GET().build();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
