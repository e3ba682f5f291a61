package dev.gpushare.scheduler.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The real kubectl (the one on {@code PATH}, or {@code GPUSHARE_KUBECTL}; {@code .ci/run} installs Debian's
 * {@code kubernetes-client} when there is none) with the kubeconfig the application writes: the newcomer's
 * commands of the README and what {@code describe} says about a pod that waits. Without a kubectl the test is
 * skipped, unless {@code GPUSHARE_REQUIRE_KUBECTL} is set (CI sets it).
 */
@PlaygroundTest
class KubectlTest {

    private static final String NAMESPACE = "kubectl";

    @Autowired
    KubeconfigFile kubeconfig;
    @Autowired
    KubernetesClient client;
    @TempDir
    Path cache;
    private String kubectl;

    @BeforeEach
    void findKubectl() {
        Optional<String> found = kubectlBinary();
        if (System.getenv("GPUSHARE_REQUIRE_KUBECTL") == null) {
            Assumptions.assumeTrue(found.isPresent(), "no kubectl on PATH");
        }
        kubectl = found.orElseThrow(() -> new AssertionError("GPUSHARE_REQUIRE_KUBECTL is set but there is no"
                + " kubectl on PATH"));
    }

    @AfterEach
    void deletePods() {
        client.pods().inNamespace(NAMESPACE).delete();
        await().atMost(Duration.ofSeconds(30)).until(() -> client.pods().inNamespace(NAMESPACE).list().getItems()
                .isEmpty());
    }

    @Test
    void theNewcomersCommandsWork() throws Exception {
        assertThat(run("get", "nodes")).matches("(?s)NAME\\s+STATUS\\s+ROLES\\s+AGE\\s+VERSION\\s*\n"
                + "gpu-node-1\\s+Ready\\s+<none>\\s+\\S+\\s*\n" + "gpu-node-2\\s+Ready\\s+<none>\\s+\\S+\\s*\n");

        assertThat(run("apply", "-n", NAMESPACE, "-f", Examples.file("memory-slice").toString()))
                .isEqualTo("pod/memory-slice created\n");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(run("get", "pods", "-n", NAMESPACE,
                "-o", "wide")).containsPattern("memory-slice\\s+1/1\\s+Running\\s+0\\s+\\S+\\s+10\\.244\\.\\S+\\s+"
                + "gpu-node-[12]\\s+<none>\\s+<none>"));
        assertThat(run("get", "pod", "memory-slice", "-n", NAMESPACE, "-o",
                "jsonpath={.metadata.annotations.hami\\.io/vgpu-devices-allocated}"))
                .matches("GPU-[0-9a-f-]{36},NVIDIA,10000,0:;");
        assertThat(run("apply", "-n", NAMESPACE, "-f", Examples.file("memory-slice").toString()))
                .isEqualTo("pod/memory-slice unchanged\n");
    }

    @Test
    void describeSaysWhyAPodWaitsAndDeleteRemovesIt() throws Exception {
        assertThat(run("apply", "-n", NAMESPACE, "-f", Examples.file("too-big").toString()))
                .isEqualTo("pod/too-big created\n");

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(run("describe", "pod", "too-big", "-n",
                NAMESPACE)).containsPattern("Warning\\s+FailedScheduling\\s+\\S+\\s+hami-scheduler\\s+0/2 nodes are"
                + " available: 2 4/4 CardInsufficientMemory\\.").containsPattern("PodScheduled\\s+False"));
        assertThat(run("get", "pods", "-n", NAMESPACE)).containsPattern("too-big\\s+0/1\\s+Pending");

        assertThat(run("delete", "-n", NAMESPACE, "-f", Examples.file("too-big").toString()))
                .isEqualTo("pod \"too-big\" deleted\n");
        assertThat(client.pods().inNamespace(NAMESPACE).withName("too-big").get()).isNull();
    }

    private String run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(kubectl, "--kubeconfig", kubeconfig.path().toString(),
                "--cache-dir", cache.toString()));
        command.addAll(List.of(args));
        Path output = Files.createTempFile(cache, "kubectl", ".out");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
                .start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("kubectl " + String.join(" ", args) + " did not finish in 60 s");
        }
        String text = Files.readString(output, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as("kubectl %s said: %s", String.join(" ", args), text).isZero();
        return text;
    }

    private static Optional<String> kubectlBinary() {
        String configured = System.getenv("GPUSHARE_KUBECTL");
        if (configured != null && !configured.isBlank()) {
            return Optional.of(configured);
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "kubectl");
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate.toString());
            }
        }
        return Optional.empty();
    }
}
