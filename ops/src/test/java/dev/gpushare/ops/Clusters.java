package dev.gpushare.ops;

import dev.gpushare.certgen.Certgen;
import dev.gpushare.common.annotation.AllocationCodec;
import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.common.annotation.NodeRegisterCodec;
import dev.gpushare.common.device.ContainerDevice;
import dev.gpushare.common.device.DeviceInfo;
import dev.gpushare.common.device.PodAllocation;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Prepared clusters for the ops tests. {@link #healthy} is a release {@code hami} in {@code kube-system} with real
 * certificates (made by certgen once per run), two GPU nodes with two A100s each, and three GPU pods; the other methods each
 * break one thing on top of it.
 */
final class Clusters {

    static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    static final String NS = "kube-system";

    private Clusters() {
    }

    static void healthy(KubernetesClient client) {
        client.apps().deployments().inNamespace(NS).resource(new DeploymentBuilder().withNewMetadata()
                .withName("hami-scheduler").withNamespace(NS)
                .addToLabels("helm.sh/chart", "hami-0.1.0").addToLabels("app.kubernetes.io/version", "0.1.0")
                .endMetadata()
                .withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("app", "hami-scheduler").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "hami-scheduler").endMetadata().withNewSpec()
                .addNewContainer().withName("kube-scheduler").withImage("registry.k8s.io/kube-scheduler:v1.30.2")
                .endContainer()
                .addNewContainer().withName("vgpu-scheduler-extender").withImage("docker.io/gpushare/scheduler:0.1.0")
                .addNewEnv().withName("HAMI_LEADERELECTION_LEASENAME").withValue("hami-scheduler").endEnv()
                .addNewEnv().withName("HAMI_LEDGER_SEALKEYFILE").withValue("/seal/seal.key").endEnv()
                .addNewEnv().withName("HAMI_LEDGER_TRUSTUNSEALED").withValue("false").endEnv()
                .addNewEnv().withName("HAMI_LEDGER_TRUSTUNSEALEDBEFORE").withNewValueFrom().withNewSecretKeyRef()
                .withName("hami-scheduler-seal").withKey("trust-unsealed-before").withOptional(true)
                .endSecretKeyRef().endValueFrom().endEnv()
                .endContainer()
                .endSpec().endTemplate().endSpec()
                .withNewStatus().withReplicas(1).withReadyReplicas(1).endStatus().build()).create();
        client.apps().daemonSets().inNamespace(NS).resource(new DaemonSetBuilder().withNewMetadata()
                .withName("hami-device-plugin").withNamespace(NS).endMetadata()
                .withNewSpec().withNewSelector().addToMatchLabels("app", "hami-device-plugin").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "hami-device-plugin").endMetadata()
                .withNewSpec().addNewContainer().withName("device-plugin").withImage("docker.io/projecthami/hami:v2.8.3")
                .endContainer().endSpec().endTemplate().endSpec()
                .withNewStatus().withDesiredNumberScheduled(2).withNumberReady(2).endStatus().build()).create();
        client.nodes().resource(gpuNode("gpu-1")).create();
        client.nodes().resource(gpuNode("gpu-2")).create();
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName("cpu-1").endMetadata()
                .withNewStatus().addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus()
                .build()).create();
        client.pods().inNamespace("default").resource(gpuPod("train-0", "uid-train-0", "gpu-1",
                new ContainerDevice("GPU-gpu-1-0", "NVIDIA", 3000, 30))).create();
        client.pods().inNamespace("default").resource(gpuPod("train-1", "uid-train-1", "gpu-1",
                new ContainerDevice("GPU-gpu-1-0", "NVIDIA", 3000, 30))).create();
        client.pods().inNamespace("default").resource(gpuPod("infer-0", "uid-infer-0", "gpu-2",
                new ContainerDevice("GPU-gpu-2-1", "NVIDIA", 10000, 50))).create();
        client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("web")
                .withNamespace("default").endMetadata().withNewSpec().withNodeName("cpu-1")
                .addNewContainer().withName("web").withImage("nginx").endContainer().endSpec().build()).create();
        client.leases().inNamespace(NS).resource(new LeaseBuilder().withNewMetadata().withName("hami-scheduler")
                .withNamespace(NS).endMetadata().withNewSpec().withHolderIdentity("hami-scheduler-7d9f-abcde")
                .withRenewTime(ZonedDateTime.ofInstant(NOW.minusSeconds(3), ZoneOffset.UTC)).endSpec().build())
                .create();
        client.admissionRegistration().v1().mutatingWebhookConfigurations().resource(
                new MutatingWebhookConfigurationBuilder().withNewMetadata().withName("hami-webhook").endMetadata()
                        .addNewWebhook().withName("vgpu.hami.io").withAdmissionReviewVersions("v1")
                        .withSideEffects("None").withNewClientConfig().withNewService().withName("hami-scheduler")
                        .withNamespace(NS).withPath("/webhook").endService().endClientConfig().endWebhook().build())
                .create();
        client.secrets().inNamespace(NS).resource(new SecretBuilder(ISSUED.get().serving()).editMetadata()
                .withResourceVersion(null).withUid(null).endMetadata().build()).create();
        setCaBundle(client, ISSUED.get().servingCaBundle());
    }

    /** Certificates made once by certgen (key generation is the slow part of a cluster): a Secret, two CAs. */
    private record Issued(Secret serving, String servingCaBundle, String otherCaBundle) {
    }

    private static final Supplier<Issued> ISSUED = memoize(() -> {
        try (OpsApi scratch = OpsApi.start("v1.30.2")) {
            KubernetesClient client = scratch.client;
            client.admissionRegistration().v1().mutatingWebhookConfigurations().resource(
                    new MutatingWebhookConfigurationBuilder().withNewMetadata().withName("hami-webhook").endMetadata()
                            .addNewWebhook().withName("vgpu.hami.io").endWebhook().build()).create();
            certgen(client, "create", "--namespace", NS, "--secret-name", "hami-scheduler-tls", "--host",
                    "hami-scheduler.kube-system.svc");
            certgen(client, "patch", "--webhook-name", "hami-webhook", "--namespace", NS, "--secret-name",
                    "hami-scheduler-tls");
            String serving = caBundle(client);
            certgen(client, "create", "--namespace", "other", "--secret-name", "stale-tls", "--host",
                    "hami-scheduler.kube-system.svc");
            certgen(client, "patch", "--webhook-name", "hami-webhook", "--namespace", "other", "--secret-name",
                    "stale-tls");
            return new Issued(client.secrets().inNamespace(NS).withName("hami-scheduler-tls").get(), serving,
                    caBundle(client));
        }
    });

    private static String caBundle(KubernetesClient client) {
        return client.admissionRegistration().v1().mutatingWebhookConfigurations().withName("hami-webhook").get()
                .getWebhooks().get(0).getClientConfig().getCaBundle();
    }

    private static void setCaBundle(KubernetesClient client, String bundle) {
        client.admissionRegistration().v1().mutatingWebhookConfigurations().withName("hami-webhook").edit(w -> {
            w.getWebhooks().forEach(h -> h.getClientConfig().setCaBundle(bundle));
            return w;
        });
    }

    private static <T> Supplier<T> memoize(Supplier<T> supplier) {
        AtomicReference<T> value = new AtomicReference<>();
        return () -> value.updateAndGet(v -> v == null ? supplier.get() : v);
    }

    /** Node {@code gpu-1} locked 10 minutes ago by a bind of {@code default/train-1} that was never released. */
    static void staleLock(KubernetesClient client) {
        annotateNode(client, "gpu-1", HamiKeys.NODE_LOCK, "2026-12-01T11:50:00Z,default,train-1");
    }

    /** Pod {@code default/broken} whose allocation has a non-numeric memory field. */
    /**
     * The chart's seal Secret with its migration cut-off, and two pods without a seal: one created before the cut-off
     * (placed by HAMi's Go scheduler before the switch), one after (forged, or placed by HAMi during a rollout).
     */
    static void unsealedAllocations(KubernetesClient client) {
        client.secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata()
                .withName("hami-scheduler-seal").withNamespace(NS).endMetadata().addToData("trust-unsealed-before", java.util.Base64.getEncoder()
                        .encodeToString("2026-12-01T00:00:00Z".getBytes(StandardCharsets.US_ASCII))).build())
                .create();
        for (String[] pod : new String[][] {{"hami-old", "2026-11-30T08:00:00Z"}, {"forged", "2026-12-01T11:00:00Z"}}) {
            Pod unsealed = gpuPod(pod[0], "uid-" + pod[0], "gpu-2",
                    new ContainerDevice("GPU-gpu-2-0", "NVIDIA", 1000, 0));
            unsealed.getMetadata().getAnnotations().remove(HamiKeys.PLACEMENT_SEAL);
            unsealed.getMetadata().getAnnotations().put(OpsApi.PINNED_CREATION, pod[1]);
            client.pods().inNamespace("default").resource(unsealed).create();
        }
    }

    static void undecodableAnnotation(KubernetesClient client) {
        client.pods().inNamespace("default").resource(new PodBuilder(gpuPod("broken", "uid-broken", "gpu-2",
                new ContainerDevice("GPU-gpu-2-0", "NVIDIA", 1000, 10))).editMetadata()
                .addToAnnotations(HamiKeys.DEVICES_ALLOCATED, "GPU-gpu-2-0,NVIDIA,1000MiB,10:;").endMetadata().build())
                .create();
    }

    /** Node {@code gpu-2} is being upgraded by the GPU Operator; pod {@code default/infer-0} still runs there. */
    static void driverUpgrade(KubernetesClient client) {
        client.nodes().withName("gpu-2").edit(n -> new NodeBuilder(n).editMetadata()
                .addToLabels(HamiKeys.GPU_DRIVER_UPGRADE_STATE, "pod-deletion-required").endMetadata().build());
    }

    /** The webhook's caBundle is another CA's (what certgen patched from another Secret). */
    static void mismatchedCaBundle(KubernetesClient client) {
        setCaBundle(client, ISSUED.get().otherCaBundle());
    }

    static void annotateNode(KubernetesClient client, String node, String key, String value) {
        client.nodes().withName(node).edit(n -> new NodeBuilder(n).editMetadata().addToAnnotations(key, value)
                .endMetadata().build());
    }

    static Node gpuNode(String name) {
        List<DeviceInfo> devices = List.of(
                new DeviceInfo("GPU-" + name + "-0", 0, 10, 40960, 100, "NVIDIA A100-SXM4-40GB", 0, "hami-core", true),
                new DeviceInfo("GPU-" + name + "-1", 1, 10, 40960, 100, "NVIDIA A100-SXM4-40GB", 0, "hami-core", true));
        return new NodeBuilder().withNewMetadata().withName(name)
                .addToAnnotations(HamiKeys.NODE_NVIDIA_REGISTER, NodeRegisterCodec.encode(devices)).endMetadata()
                .withNewStatus().addNewCondition().withType("Ready").withStatus("True").endCondition()
                .addToAllocatable("nvidia.com/gpu", new Quantity("20")).endStatus().build();
    }

    /** A running pod of {@code hami-scheduler} bound to {@code node} holding {@code device} in its one container. */
    /**
     * A placement seal as the scheduler writes it (the ops commands never verify one: they hold no key; the
     * scheduler's tests prove the seal itself).
     */
    static String seal(String pod) {
        return "v1:" + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                java.util.Arrays.copyOf(pod.getBytes(StandardCharsets.US_ASCII), 32));
    }

    static Pod gpuPod(String name, String uid, String node, ContainerDevice device) {
        String allocation = AllocationCodec.encode(new PodAllocation(List.of(List.of(device))));
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("default")
                .addToAnnotations(OpsApi.PINNED_UID, uid)
                .addToLabels(HamiKeys.VGPU_NODE, node)
                .addToAnnotations(Map.of(HamiKeys.VGPU_NODE, node, HamiKeys.VGPU_TIME, "1796126000",
                        HamiKeys.DEVICES_TO_ALLOCATE, ";", HamiKeys.DEVICES_ALLOCATED, allocation,
                        HamiKeys.BIND_PHASE, "success", HamiKeys.BIND_TIME, "1796126001",
                        HamiKeys.PLACEMENT_SEAL, seal(name)))
                .endMetadata()
                .withNewSpec().withSchedulerName("hami-scheduler").withNodeName(node)
                .addNewContainer().withName("main").withImage("cuda").withNewResources()
                .addToLimits("nvidia.com/gpu", new Quantity("1"))
                .addToLimits("nvidia.com/gpumem", new Quantity(Integer.toString(device.usedmem())))
                .addToLimits("nvidia.com/gpucores", new Quantity(Integer.toString(device.usedcores())))
                .endResources().endContainer().endSpec()
                .withNewStatus().withPhase("Running").endStatus().build();
    }

    private static void certgen(KubernetesClient client, String... args) {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(sink, true, StandardCharsets.UTF_8);
        int code = Certgen.run(args, client, print, print, CLOCK);
        if (code != 0) {
            throw new IllegalStateException("certgen " + String.join(" ", args) + " exited " + code + ": "
                    + sink.toString(StandardCharsets.UTF_8));
        }
    }
}
