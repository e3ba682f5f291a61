package dev.gpushare.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gpushare.certgen.Certgen;
import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.common.annotation.NodeRegisterCodec;
import dev.gpushare.common.device.DeviceInfo;
import dev.gpushare.scheduler.embedded.ApiServerDispatcher;
import dev.gpushare.scheduler.embedded.EmbeddedApiServer;
import dev.gpushare.scheduler.embedded.KubeconfigFile;
import dev.gpushare.scheduler.embedded.KubectlDispatcher;
import dev.gpushare.testkit.GuideBlocks;
import dev.gpushare.testkit.GuideBlocks.Line;
import dev.gpushare.testkit.Kubectl;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code kubectl} line of the {@code sh} blocks of {@code docs/operations/} runs, in guide order, with the real
 * kubectl against the embedded API (the scheduler's embedded mode: {@link KubectlDispatcher} in front of
 * {@link ApiServerDispatcher}) holding what {@code helm install hami charts/hami -n kube-system} leaves there: the
 * chart's objects as helm-java renders them (hooks aside), the certificate Secret and {@code caBundle} made by running
 * the chart's own certificate jobs' arguments through certgen, and what the running cluster adds (two GPU nodes
 * registered by the device plugin, a device-plugin pod on each, the scheduler Deployment rolled out with its pods, the
 * Lease its leader holds, one GPU pod). Each line has its expected output and the cluster state it leaves, in
 * {@link #steps}; lines that cannot run there are in {@link #NOT_RUN}, each with the reason. Placeholders of the guides
 * are replaced as {@link #PLACEHOLDERS} says. Without a kubectl the test is skipped, unless
 * {@code GPUSHARE_REQUIRE_KUBECTL} is set (CI sets it).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GuideKubectlTest {

    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final String NS = "kube-system";
    private static final String NODE = "gpu-node-1";
    private static final String OTHER_NODE = "gpu-node-2";
    private static final String GPU = "GPU-0a1b2c3d-0000-4000-8000-000000000001";
    private static final String LEADER = "hami-scheduler-5d8f9c7b6-x2k4p_8c2e6a52-7f0e-4f55-9d36-c3b1c0d7f1a2";
    private static final String LOCK = "2026-12-02T01:00:00Z,default,train-0";

    /** The guides' placeholders and what the test writes for each: a node and a GPU of the prepared cluster. */
    static final Map<String, String> PLACEHOLDERS = Map.of("<node>", NODE, "<gpu-uuid>", GPU);

    /** Lines that cannot run against the embedded API, by their first words, and why. */
    static final Map<String, String> NOT_RUN = Map.of(
            "kubectl drain", "evicts through the pods/eviction subresource and waits until kubelet has stopped the"
                    + " pods: the embedded API serves neither, so drain is the GPU Operator's and kubelet's part");

    /**
     * What one guide line must print and leave behind; {@code before} prepares the cluster state the guide assumes.
     * A line that waits ({@code rollout status}) has {@code meanwhile}: done once kubectl printed {@code waiting}.
     */
    private record Step(Consumer<KubernetesClient> before, String output, Consumer<KubernetesClient> after,
                        String waiting, Consumer<KubernetesClient> meanwhile) {

        Step(Consumer<KubernetesClient> before, String output, Consumer<KubernetesClient> after) {
            this(before, output, after, null, NOTHING);
        }
    }

    private static final Consumer<KubernetesClient> NOTHING = client -> { };

    private Path work;
    private EmbeddedApiServer api;
    private KubernetesClient client;
    private Kubectl kubectl;
    /** The Secret's data as certgen made it, for the backup and recovery steps. */
    private Map<String, String> secretData;
    private final Map<String, Step> steps = steps();

    private Map<String, Step> steps() {
        Map<String, Step> steps = new LinkedHashMap<>();
        // The new replica is there but not available yet; kubectl watches until it is.
        String waiting = "Waiting for deployment \"hami-scheduler\" rollout to finish: 0 of 1 updated replicas are"
                + " available...\n";
        steps.put("kubectl -n kube-system rollout status deployment/hami-scheduler", new Step(
                client -> rolloutStatus(client, 0), Pattern.quote(waiting)
                        + "deployment \"hami-scheduler\" successfully rolled out\n", NOTHING,
                Pattern.quote(waiting), client -> rolloutStatus(client, 1)));
        steps.put("kubectl -n kube-system delete pod -l app.kubernetes.io/component=hami-device-plugin"
                + " --field-selector spec.nodeName=gpu-node-1", new Step(NOTHING,
                "pod \"hami-device-plugin-" + NODE + "\" deleted( from kube-system namespace)?\n", client -> {
                    assertThat(podsOn(client, NODE)).as("the plugin pod of " + NODE + " is gone")
                            .doesNotContain("hami-device-plugin-" + NODE);
                    assertThat(podsOn(client, OTHER_NODE)).as("the other node's plugin is untouched")
                            .contains("hami-device-plugin-" + OTHER_NODE);
                    // The DaemonSet controller's part (OnDelete): a new pod of the new revision on the node.
                    client.pods().inNamespace(NS).resource(devicePluginPod(client, NODE, "hami-device-plugin-r2x7q"))
                            .create();
                }));
        steps.put("kubectl -n kube-system get pods -l app.kubernetes.io/component=hami-device-plugin"
                + " --field-selector spec.nodeName=gpu-node-1", new Step(NOTHING,
                "NAME\\s+READY\\s+STATUS\\s+RESTARTS\\s+AGE\\s*\n"
                        + "hami-device-plugin-r2x7q\\s+2/2\\s+Running\\s+0\\s+\\S+\\s*\n",
                NOTHING));
        steps.put("kubectl -n kube-system get secret hami-scheduler-tls -o yaml > tls-backup.yaml", new Step(NOTHING,
                ".*kind: Secret\n.*  name: hami-scheduler-tls\n.*", client -> assertThat(secretData)
                        .allSatisfy((key, value) -> assertThat(backup()).contains("  " + key + ": " + value + "\n"))));
        steps.put("kubectl create -f tls-backup.yaml", new Step(
                client -> {
                    // What the recovery is for: the Secret is lost.
                    client.secrets().inNamespace(NS).withName("hami-scheduler-tls").delete();
                    assertThat(client.secrets().inNamespace(NS).withName("hami-scheduler-tls").get()).isNull();
                },
                "secret/hami-scheduler-tls created\n",
                client -> assertThat(client.secrets().inNamespace(NS).withName("hami-scheduler-tls").get().getData())
                        .as("the backed-up certificate and keys").isEqualTo(secretData)));
        steps.put("kubectl annotate node gpu-node-1 hami.io/device-cordon=" + GPU, new Step(NOTHING,
                "node/gpu-node-1 annotated\n", client -> assertThat(annotation(client, HamiKeys.DEVICE_CORDON))
                        .isEqualTo(GPU)));
        steps.put("kubectl annotate node gpu-node-1 hami.io/device-cordon-", new Step(NOTHING,
                "node/gpu-node-1 annotated\n", client -> assertThat(annotation(client, HamiKeys.DEVICE_CORDON))
                        .isNull()));
        steps.put("kubectl cordon gpu-node-1", new Step(NOTHING, "node/gpu-node-1 cordoned\n",
                client -> assertThat(client.nodes().withName(NODE).get().getSpec().getUnschedulable()).isTrue()));
        steps.put("kubectl get pods --all-namespaces --field-selector spec.nodeName=gpu-node-1", new Step(NOTHING,
                "NAMESPACE\\s+NAME\\s+READY\\s+STATUS\\s+RESTARTS\\s+AGE\\s*\n"
                        + "default\\s+train-0\\s+1/1\\s+Running\\s+0\\s+\\S+\\s*\n"
                        + "kube-system\\s+hami-device-plugin-r2x7q\\s+2/2\\s+Running\\s+0\\s+\\S+\\s*\n"
                        + "kube-system\\s+hami-scheduler-5d8f9c7b6-x2k4p\\s+2/2\\s+Running\\s+0\\s+\\S+\\s*\n",
                NOTHING));
        steps.put("kubectl uncordon gpu-node-1", new Step(NOTHING, "node/gpu-node-1 uncordoned\n",
                client -> assertThat(client.nodes().withName(NODE).get().getSpec().getUnschedulable())
                        .isNotEqualTo(Boolean.TRUE)));
        steps.put("kubectl get node gpu-node-1 -o jsonpath='{.metadata.annotations.hami\\.io/mutex\\.lock}'",
                new Step(client -> client.nodes().withName(NODE).edit(n -> new NodeBuilder(n).editMetadata()
                        .addToAnnotations(HamiKeys.NODE_LOCK, LOCK).endMetadata().build()),
                        LOCK.replace(".", "\\."), NOTHING));
        steps.put("kubectl annotate node gpu-node-1 hami.io/mutex.lock-", new Step(NOTHING,
                "node/gpu-node-1 annotated\n", client -> assertThat(annotation(client, HamiKeys.NODE_LOCK)).isNull()));
        steps.put("kubectl -n kube-system get lease hami-scheduler -o jsonpath='{.spec.holderIdentity}'",
                new Step(NOTHING, LEADER, NOTHING));
        return steps;
    }

    @BeforeAll
    void startTheClusterAHelmInstallLeaves(@TempDir Path dir) {
        work = dir;
        api = EmbeddedApiServer.start(new KubectlDispatcher(new ApiServerDispatcher(), Clock.systemUTC()), 0);
        client = api.newClient();
        Path kubeconfig = KubeconfigFile.write(work.resolve("kubeconfig"), "http://127.0.0.1:" + api.port()).path();
        kubectl = Kubectl.find(kubeconfig, work).orElse(null);
        install(Chart.render(Chart.Options.defaults().in(NS)));
        for (String node : List.of(NODE, OTHER_NODE)) {
            client.nodes().resource(gpuNode(node)).create();
            client.pods().inNamespace(NS).resource(devicePluginPod(client, node, "hami-device-plugin-" + node))
                    .create();
        }
        client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("train-0")
                .endMetadata().withNewSpec().withSchedulerName("hami-scheduler").withNodeName(NODE)
                .addNewContainer().withName("main").withImage("cuda").withNewResources()
                .addToLimits("nvidia.com/gpu", new Quantity("1")).endResources().endContainer().endSpec()
                .withNewStatus().withPhase("Running").addNewContainerStatus().withName("main").withReady(true)
                .withRestartCount(0).endContainerStatus().endStatus().build()).create();
        secretData = Map.copyOf(client.secrets().inNamespace(NS).withName("hami-scheduler-tls").get().getData());
    }

    @AfterAll
    void stop() {
        if (client != null) {
            client.close();
        }
        if (api != null) {
            api.close();
        }
    }

    /** The chart's objects, then its certificate jobs run (as their hooks do), then what its controllers report. */
    private void install(Rendered rendered) {
        for (HasMetadata object : rendered.objects()) {
            Map<String, String> annotations = object.getMetadata().getAnnotations();
            if (annotations != null && annotations.containsKey(Chart.HOOK)) {
                continue; // the hooks: the certificate jobs (run below) and their RBAC, deleted when they succeed
            }
            if (object instanceof Namespaced) {
                object.getMetadata().setNamespace(NS);
            }
            client.resource(object).create();
        }
        certgen(rendered, CertificateJobsTest.CREATE);
        certgen(rendered, CertificateJobsTest.PATCH);
        Deployment scheduler = rendered.scheduler();
        assertThat(scheduler.getSpec().getReplicas()).as("the chart's default replicas").isEqualTo(1);
        rolloutStatus(client, 1);
        client.pods().inNamespace(NS).resource(podOf(scheduler.getSpec().getTemplate(),
                "hami-scheduler-5d8f9c7b6-x2k4p", NODE)).create();
        client.leases().inNamespace(NS).resource(new LeaseBuilder().withNewMetadata().withName("hami-scheduler")
                .endMetadata().withNewSpec().withHolderIdentity(LEADER).withLeaseDurationSeconds(15).endSpec()
                .build()).create();
    }

    /** The scheduler Deployment's status with its one new replica {@code available} (0 or 1). */
    private static void rolloutStatus(KubernetesClient client, int available) {
        client.apps().deployments().inNamespace(NS).withName("hami-scheduler").editStatus(d -> {
            d.setStatus(new DeploymentStatusBuilder().withObservedGeneration(1L).withReplicas(1)
                    .withUpdatedReplicas(1).withReadyReplicas(available).withAvailableReplicas(available).build());
            return d;
        });
    }

    private void certgen(Rendered rendered, String job) {
        List<String> args = CertificateJobsTest.args(rendered, job);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        int code = Certgen.run(args.subList(1, args.size()).toArray(String[]::new), client, print, print);
        assertThat(code).as("certgen of %s: %s", job, out).isZero();
    }

    private static Node gpuNode(String name) {
        List<DeviceInfo> devices = List.of(
                new DeviceInfo(name.equals(NODE) ? GPU : "GPU-0a1b2c3d-0000-4000-8000-000000000002", 0, 10, 40960,
                        100, "NVIDIA A100-SXM4-40GB", 0, DeviceInfo.MODE_HAMI_CORE, true));
        return new NodeBuilder().withNewMetadata().withName(name).addToLabels("gpu", "on")
                .addToAnnotations(HamiKeys.NODE_NVIDIA_REGISTER, NodeRegisterCodec.encode(devices)).endMetadata()
                .withNewStatus().addNewCondition().withType("Ready").withStatus("True").endCondition()
                .addToAllocatable("nvidia.com/gpu", new Quantity("10")).endStatus().build();
    }

    /** A running pod of the chart's device-plugin DaemonSet on {@code node}. */
    private static Pod devicePluginPod(KubernetesClient client, String node, String name) {
        DaemonSet plugin = client.apps().daemonSets().inNamespace(NS).withName("hami-device-plugin").get();
        return podOf(plugin.getSpec().getTemplate(), name, node);
    }

    /** A Running, Ready pod made from a controller's template, as its controller and kubelet leave it. */
    private static Pod podOf(PodTemplateSpec template, String name, String node) {
        PodBuilder pod = new PodBuilder().withNewMetadata().withName(name).withNamespace(NS)
                .withLabels(template.getMetadata().getLabels()).endMetadata()
                .withSpec(template.getSpec()).editSpec().withNodeName(node).endSpec()
                .withNewStatus().withPhase("Running").endStatus();
        template.getSpec().getContainers().forEach(c -> pod.editStatus().addNewContainerStatus().withName(c.getName())
                .withImage(c.getImage()).withReady(true).withRestartCount(0).withNewState().withNewRunning()
                .endRunning().endState().endContainerStatus().endStatus());
        return pod.build();
    }

    private static List<String> podsOn(KubernetesClient client, String node) {
        return client.pods().inAnyNamespace().list().getItems().stream()
                .filter(p -> node.equals(p.getSpec().getNodeName())).map(p -> p.getMetadata().getName()).toList();
    }

    private static String annotation(KubernetesClient client, String key) {
        Map<String, String> annotations = client.nodes().withName(NODE).get().getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(key);
    }

    private static List<Line> kubectlLines() {
        return GuideBlocks.operations(REPO, "sh").stream().filter(l -> l.text().startsWith("kubectl ")).toList();
    }

    private static String substituted(String line) {
        String text = line;
        for (Map.Entry<String, String> placeholder : PLACEHOLDERS.entrySet()) {
            text = text.replace(placeholder.getKey(), placeholder.getValue());
        }
        return text;
    }

    private static boolean notRun(String line) {
        return NOT_RUN.keySet().stream().anyMatch(prefix -> line.startsWith(prefix + " "));
    }

    @Test
    void everyKubectlLineIsRunOrListedWithTheReason() {
        List<String> lines = kubectlLines().stream().map(l -> substituted(l.text())).toList();
        assertThat(lines).as("no placeholder left").noneMatch(l -> l.matches(".*<[a-z-]+>.*"));
        assertThat(lines.stream().filter(l -> !notRun(l))).as("kubectl lines with an expected output")
                .allMatch(steps::containsKey);
        assertThat(steps.keySet()).as("expectations of lines the guides still have").allMatch(lines::contains);
        assertThat(NOT_RUN.keySet()).as("lines not run that the guides still have")
                .allMatch(prefix -> lines.stream().anyMatch(l -> l.startsWith(prefix + " ")));
        assertThat(lines).as("the node-lock and cordon commands are among them")
                .contains("kubectl annotate node gpu-node-1 hami.io/mutex.lock-", "kubectl cordon gpu-node-1");
    }

    @TestFactory
    Stream<DynamicTest> everyKubectlLineRunsAgainstTheClusterTheChartMakes() {
        if (kubectl == null) {
            Assumptions.assumeTrue(Kubectl.required(), "no kubectl on PATH");
            throw new AssertionError("GPUSHARE_REQUIRE_KUBECTL is set but there is no kubectl on PATH");
        }
        return kubectlLines().stream().filter(l -> !notRun(substituted(l.text()))).map(line ->
                DynamicTest.dynamicTest(line.toString(), () -> run(substituted(line.text()))));
    }

    private void run(String line) throws IOException {
        Step step = steps.get(line);
        assertThat(step).as("expectation of " + line).isNotNull();
        List<String> words = new ArrayList<>(GuideBlocks.words(line));
        Path redirect = null;
        int arrow = words.indexOf(">");
        if (arrow >= 0) {
            redirect = work.resolve(words.get(arrow + 1));
            words = words.subList(0, arrow);
        }
        step.before().accept(client);
        Kubectl.Result result;
        if (step.waiting() == null) {
            result = kubectl.run(words.subList(1, words.size()));
        } else {
            try (Kubectl.Running running = kubectl.start(words.subList(1, words.size()).toArray(String[]::new))) {
                await().atMost(Duration.ofSeconds(30)).until(() -> Pattern.compile(step.waiting())
                        .matcher(running.output()).find());
                step.meanwhile().accept(client);
                int code = running.exitCode(60);
                result = new Kubectl.Result(code, running.output(), "");
            }
        }
        assertThat(result.exitCode()).as("%s said: %s", line, result.shown()).isZero();
        assertThat(result.out()).as(line).matches("(?s)" + step.output());
        if (redirect != null) {
            Files.writeString(redirect, result.out(), StandardCharsets.UTF_8);
        }
        step.after().accept(client);
    }

    private String backup() {
        try {
            return Files.readString(work.resolve("tls-backup.yaml"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError("no tls-backup.yaml", e);
        }
    }
}
