package dev.gpushare.scheduler.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gpushare.testkit.Kubectl;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
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
 * commands of the README, what {@code describe} says about a pod that waits, {@code get -w} following a pod the
 * scheduling driver binds, and {@code wait} returning once a pod is scheduled. Without a kubectl the test is
 * skipped, unless {@code GPUSHARE_REQUIRE_KUBECTL} is set (CI sets it).
 */
@PlaygroundTest
class KubectlTest {

    private static final String NAMESPACE = "kubectl";
    /** A node label no node has until the wait test sets it. */
    private static final String WAIT_LABEL = "gpushare.dev/kubectl-wait";

    @Autowired
    KubeconfigFile kubeconfig;
    @Autowired
    KubernetesClient client;
    @Autowired
    EmbeddedApiServer api;
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

    @Test
    void getWatchShowsAPodBeingBoundByTheDriver() {
        int before = api.watchesStreaming();
        try (Kubectl.Running watch = kubectl.start("get", "pods", "-n", NAMESPACE, "-o", "wide", "-w")) {
            await().atMost(Duration.ofSeconds(30)).until(() -> api.watchesStreaming() > before);

            run("apply", "-n", NAMESPACE, "-f", Examples.file("core-slice").toString());

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(watch.output())
                    .containsPattern("core-slice\\s+0/1\\s+Pending\\s+0\\s+\\S+\\s+<none>\\s+<none>\\s")
                    .containsPattern("core-slice\\s+1/1\\s+Running\\s+0\\s+\\S+\\s+10\\.244\\.\\S+\\s+"
                            + "gpu-node-[12]\\s"));
        }
    }

    @Test
    void waitReturnsOnceThePodIsScheduled() {
        Pod waiter = Examples.load(client, "memory-slice");
        waiter.getMetadata().setName("waiter");
        waiter.getSpec().setNodeSelector(Map.of(WAIT_LABEL, "yes"));
        client.pods().inNamespace(NAMESPACE).resource(waiter).create();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(run("get", "pod", "waiter", "-n",
                NAMESPACE, "-o", "jsonpath={.status.conditions[?(@.type==\"PodScheduled\")].status}"))
                .isEqualTo("False"));
        int before = api.watchesStreaming();
        try (Kubectl.Running wait = kubectl.start("wait", "-n", NAMESPACE, "--for=condition=PodScheduled",
                "pod/waiter", "--timeout=60s")) {
            await().atMost(Duration.ofSeconds(30)).until(() -> api.watchesStreaming() > before);

            client.nodes().withName("gpu-node-1").edit(n -> new NodeBuilder(n).editMetadata()
                    .addToLabels(WAIT_LABEL, "yes").endMetadata().build());

            assertThat(wait.exitCode(60)).as(wait.output()).isZero();
            assertThat(wait.output()).isEqualTo("pod/waiter condition met\n");
        } finally {
            client.nodes().withName("gpu-node-1").edit(n -> new NodeBuilder(n).editMetadata()
                    .removeFromLabels(WAIT_LABEL).endMetadata().build());
        }
        assertThat(client.pods().inNamespace(NAMESPACE).withName("waiter").get().getSpec().getNodeName())
                .isEqualTo("gpu-node-1");
    }

    private String run(String... args) {
        Kubectl.Result result = kubectl.run(args);
        assertThat(result.exitCode()).as("kubectl %s said: %s", String.join(" ", args), result.shown()).isZero();
        return result.shown();
    }
}
