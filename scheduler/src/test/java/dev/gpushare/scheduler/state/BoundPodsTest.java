package dev.gpushare.scheduler.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpushare.common.annotation.AllocationCodec;
import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.common.device.ContainerDevice;
import dev.gpushare.common.device.DeviceInfo;
import dev.gpushare.common.device.PodAllocation;
import dev.gpushare.scheduler.support.TestSeals;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The check under the node lock, on its own: which pods count, and the exact refusal. */
class BoundPodsTest {

    private static final List<DeviceInfo> GPUS = List.of(
            new DeviceInfo("GPU-0", 0, 2, 16000, 100, "NVIDIA A100", 0, "hami-core", true),
            new DeviceInfo("GPU-1", 1, 2, 16000, 100, "NVIDIA A100", 0, "hami-core", true));

    private static PodAllocation on(String gpu, int memory, int cores) {
        return new PodAllocation(List.of(List.of(new ContainerDevice(gpu, "NVIDIA", memory, cores))));
    }

    private static Pod pod(String name, String boundTo, String annotatedNode, String phase, PodAllocation allocation) {
        Pod pod = forged(name, boundTo, annotatedNode, phase, allocation);
        pod.getMetadata().getAnnotations().put(HamiKeys.PLACEMENT_SEAL,
                TestSeals.seal("uid-" + name, annotatedNode, AllocationCodec.encode(allocation)));
        return pod;
    }

    /** Placement annotations without a seal: written by someone without the key. */
    private static Pod forged(String name, String boundTo, String annotatedNode, String phase,
                              PodAllocation allocation) {
        return new PodBuilder().withNewMetadata().withNamespace("ns").withName(name).withUid("uid-" + name)
                .addToAnnotations(HamiKeys.VGPU_NODE, annotatedNode)
                .addToAnnotations(HamiKeys.DEVICES_ALLOCATED, AllocationCodec.encode(allocation)).endMetadata()
                .withNewSpec().withNodeName(boundTo).endSpec().withNewStatus().withPhase(phase).endStatus().build();
    }

    private static java.util.Optional<String> overfilled(List<Pod> pods, PodAllocation placement) {
        return BoundPods.overfilled("n1", GPUS, pods, "uid-me", placement, pod -> PodGpus.of(pod, TestSeals.TRUST));
    }

    @Test
    void onlyPodsBoundToTheNodeWithATrustedPlacementCountAndThePodItselfNever() {
        List<Pod> pods = List.of(
                pod("bound", "n1", "n1", "Running", on("GPU-0", 8000, 50)),
                pod("placed-not-bound", null, "n1", "Pending", on("GPU-0", 8000, 50)),
                pod("finished", "n1", "n1", "Succeeded", on("GPU-0", 8000, 50)),
                pod("other-node", "n2", "n2", "Running", on("GPU-0", 8000, 50)),
                pod("me", "n1", "n1", "Pending", on("GPU-0", 8000, 50)),
                forged("forged", "n1", "n1", "Running", on("GPU-0", 16000, 100)));

        assertThat(overfilled(pods, on("GPU-0", 8000, 50))).isEmpty();
    }

    @Test
    void aGpuFullWithPodsBoundMeanwhileRefusesNamingThemAndTheTotals() {
        List<Pod> pods = List.of(
                pod("a", "n1", "n1", "Running", on("GPU-1", 6000, 30)),
                pod("b", "n1", "n1", "Running", on("GPU-1", 6000, 30)));

        assertThat(overfilled(pods, on("GPU-1", 1000, 10))).contains(
                "GPU GPU-1 on node n1 is taken meanwhile by pods bound there (ns/a, ns/b): with this pod it would "
                        + "hold 3/2 tasks, 13000/16000 MiB, 70/100% cores; the pod must be filtered again");
        assertThat(overfilled(pods.subList(0, 1), on("GPU-1", 10001, 10)))
                .as("memory alone").isPresent();
        assertThat(overfilled(pods.subList(0, 1), on("GPU-1", 10000, 71)))
                .as("cores alone").isPresent();
        assertThat(overfilled(pods.subList(0, 1), on("GPU-1", 10000, 70)))
                .as("exactly full fits").isEmpty();
    }
}
