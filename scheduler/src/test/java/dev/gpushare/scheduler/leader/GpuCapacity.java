package dev.gpushare.scheduler.leader;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpushare.common.annotation.AllocationCodec;
import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.common.annotation.MalformedAnnotationException;
import dev.gpushare.common.device.ContainerDevice;
import dev.gpushare.common.device.DeviceInfo;
import dev.gpushare.common.device.PodAllocation;
import dev.gpushare.scheduler.embedded.EmbeddedClusterSeeder;
import dev.gpushare.scheduler.support.TestObjects;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Checks, GPU by GPU from the annotations in the API, that bound pods fit what their nodes registered. */
final class GpuCapacity {

    private GpuCapacity() {
    }

    /**
     * Every pod is bound with exactly one GPU on its annotated node, and per GPU the tasks, memory and cores of the
     * pods stay within what the seeded node ({@code gpus} A100s of {@code memory} MiB and {@code slots} tasks)
     * registered; every GPU is used.
     */
    static void assertWithinCapacity(KubernetesClient client, List<Pod> pods, List<String> nodes, int gpus,
                                     int memory, int slots) throws MalformedAnnotationException {
        Map<String, DeviceInfo> devices = new HashMap<>();
        Map<String, String> nodeOfDevice = new HashMap<>();
        for (String node : nodes) {
            for (DeviceInfo device : EmbeddedClusterSeeder.devices(node, gpus, "NVIDIA A100", memory, slots)) {
                devices.put(device.id(), device);
                nodeOfDevice.put(device.id(), node);
            }
        }
        Map<String, int[]> usage = new HashMap<>();
        for (Pod pod : pods) {
            Pod now = TestObjects.get(client, pod);
            Map<String, String> annotations = now.getMetadata().getAnnotations();
            String node = now.getSpec().getNodeName();
            assertThat(annotations).containsEntry(HamiKeys.VGPU_NODE, node);
            PodAllocation allocation = AllocationCodec.decode(annotations.get(HamiKeys.DEVICES_ALLOCATED));
            assertThat(allocation.containers()).as("one placement of " + pod.getMetadata().getName())
                    .singleElement().satisfies(c -> assertThat(c).hasSize(1));
            for (ContainerDevice device : allocation.devices()) {
                assertThat(nodeOfDevice.get(device.uuid())).as("GPU of the pod's node").isEqualTo(node);
                int[] used = usage.computeIfAbsent(device.uuid(), u -> new int[3]);
                used[0]++;
                used[1] += device.usedmem();
                used[2] += device.usedcores();
            }
        }
        assertThat(usage).hasSize(devices.size());
        usage.forEach((uuid, used) -> {
            DeviceInfo device = devices.get(uuid);
            assertThat(used[0]).as("tasks on " + uuid).isLessThanOrEqualTo(device.count());
            assertThat(used[1]).as("MiB on " + uuid).isLessThanOrEqualTo(device.devmem());
            assertThat(used[2]).as("cores on " + uuid).isLessThanOrEqualTo(device.devcore());
        });
    }
}
