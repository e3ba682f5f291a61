package dev.gpushare.scheduler.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gpushare.testkit.Kubectl;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
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
    private Kubectl kubectl;

    @BeforeEach
    void findKubectl() {
        Optional<Kubectl> found = Kubectl.find(kubeconfig.path(), cache);
        if (!Kubectl.required()) {
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
    void theNewcomersCommandsWork() {
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
    void describeSaysWhyAPodWaitsAndDeleteRemovesIt() {
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

    private String run(String... args) {
        Kubectl.Result result = kubectl.run(args);
        assertThat(result.exitCode()).as("kubectl %s said: %s", String.join(" ", args), result.shown()).isZero();
        return result.shown();
    }
}
