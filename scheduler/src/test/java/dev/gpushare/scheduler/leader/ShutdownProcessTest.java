package dev.gpushare.scheduler.leader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.scheduler.SchedulerApplication;
import dev.gpushare.scheduler.support.ExtenderClient;
import dev.gpushare.scheduler.support.PortFileWriter;
import dev.gpushare.scheduler.support.TestObjects;
import dev.gpushare.scheduler.support.TestSeals;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to the service as its own process (what the kubelet sends when a pod is deleted), while 20 binds wait for
 * a node lock that another pod holds and {@code hami.bind.lock-wait} is at its maximum: every bind is answered with
 * an {@code Error} naming the shutdown within 1 s, the process has exited within 5 s with the JVM's SIGTERM code,
 * and the node lock is as the other pod left it. The API runs in this JVM (the project's dispatcher over fabric8's
 * mock server), so the node can be read after the process is gone; {@link ShutdownTest} checks the same in-process.
 */
class ShutdownProcessTest {

    private static final String NS = "sigterm";
    private static final String NODE = "sigterm-node";
    private static final int BINDS = 20;
    /** What the JVM exits with after its shutdown hooks ran for SIGTERM (128 + 15). */
    private static final int SIGTERM_EXIT = 143;
    private static final String SHUTDOWN_ANSWER = "not the leader: leadership ended (lost, or this replica is"
            + " shutting down) while the bind waited for the node lock";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    @Test
    void sigtermAnswersWaitingBindsAtOnceWritesNoLockAndExitsQuickly() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(BINDS);
        Process process = null;
        try (SharedApi api = SharedApi.start()) {
            String held = HeldNodeLock.create(api.client, NS, NODE, BINDS + 1);

            Path ports = dir.resolve("ports");
            Path log = dir.resolve("service.log");
            process = start(api.client.getMasterUrl().toString(), ports, log);
            Process child = process;
            try {
                await("the service's ports").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                        .until(() -> Files.exists(ports) || !child.isAlive());
            } catch (ConditionTimeoutException e) {
                throw new AssertionError("no ports written; the service's log:\n" + tail(log), e);
            }
            assertThat(process.isAlive()).as("service running; its log:%n%s", tail(log)).isTrue();
            Properties bound = new Properties();
            try (var in = Files.newBufferedReader(ports)) {
                bound.load(in);
            }
            int management = Integer.parseInt(bound.getProperty("management"));
            ExtenderClient extender = new ExtenderClient(() -> Integer.parseInt(bound.getProperty("extender")));
            await("the replica leads with a synced ledger").atMost(Duration.ofSeconds(30))
                    .until(() -> status(management, "/readyz") == 200);

            List<Pod> pods = new ArrayList<>();
            for (int i = 0; i < BINDS; i++) {
                Pod pod = TestObjects.create(api.client, TestObjects.gpuPod(NS, "waiting-" + i, 1, 1000, null));
                assertThat(extender.filter(pod, List.of(NODE)).at("/NodeNames/0").asString()).isEqualTo(NODE);
                pods.add(pod);
            }
            List<CompletableFuture<String>> binds = new ArrayList<>();
            for (Pod pod : pods) {
                binds.add(CompletableFuture.supplyAsync(
                        () -> extender.bind(pod, NODE).path("Error").asString(""), threads));
            }
            await("all binds wait for the node lock").atMost(Duration.ofSeconds(30))
                    .until(() -> scrape(management).contains("\ngpushare_node_lock_waiting_binds " + BINDS + ".0\n"));
            String versionBefore = api.client.nodes().withName(NODE).get().getMetadata().getResourceVersion();

            process.destroy();   // SIGTERM

            await("every bind answered").atMost(Duration.ofSeconds(1))
                    .until(() -> binds.stream().allMatch(CompletableFuture::isDone));
            await("the process exited").atMost(Duration.ofSeconds(4)).until(() -> !child.isAlive());
            for (CompletableFuture<String> bind : binds) {
                assertThat(bind.get()).isEqualTo(SHUTDOWN_ANSWER);
            }
            assertThat(process.exitValue()).isEqualTo(SIGTERM_EXIT);
            Node after = api.client.nodes().withName(NODE).get();
            assertThat(after.getMetadata().getAnnotations()).containsEntry(HamiKeys.NODE_LOCK, held);
            assertThat(after.getMetadata().getResourceVersion()).isEqualTo(versionBefore);
            String output = Files.readString(log);
            assertThat(output).contains("leadership given up term=1").doesNotContain("node lock taken");
        } finally {
            if (process != null) {
                process.destroyForcibly();
            }
            threads.shutdownNow();
        }
    }

    /** The service in a JVM of its own, on the test's classpath, against {@code master}; output to {@code log}. */
    private static Process start(String master, Path ports, Path log) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Xmx512m", "-cp", classpath,
                "-Dkubernetes.master=" + master, "-Dkubernetes.namespace=default",
                "-Dkubernetes.auth.tryKubeConfig=false", "-Dkubernetes.auth.tryServiceAccount=false",
                "-Dkubernetes.http2.disable=true", "-D" + PortFileWriter.PROPERTY + "=" + ports,
                SchedulerApplication.class.getName()));
        for (String property : List.of("hami.kubernetes.mode=cluster", "hami.leader-election.mode=none",
                "hami.extender.port=0", "hami.webhook.port=0", "management.server.port=0",
                "hami.bind.lock-wait=28s", "hami.reconcile.interval=1h", TestSeals.KEY_FILE_PROPERTY,
                "spring.main.sources=" + PortFileWriter.class.getName(),
                "logging.level.root=WARN", "logging.level.dev.gpushare.scheduler.leader=INFO",
                "logging.level.dev.gpushare.scheduler.lock=INFO")) {
            command.add("--" + property);
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(k -> k.equals("KUBECONFIG") || k.startsWith("KUBERNETES_"));
        return builder.start();
    }

    private int status(int port, String path) {
        try {
            return http.send(get(port, path), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private String scrape(int port) throws IOException, InterruptedException {
        return http.send(get(port, "/metrics"), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static HttpRequest get(int port, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10))
                .GET().build();
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }
}
