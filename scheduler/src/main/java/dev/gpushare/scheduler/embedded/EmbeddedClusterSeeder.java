package dev.gpushare.scheduler.embedded;

import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.common.annotation.NodeRegisterCodec;
import dev.gpushare.common.device.DeviceInfo;
import dev.gpushare.scheduler.config.HamiProperties;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;

/**
 * Registers the simulated GPU nodes of the embedded cluster exactly as HAMi's device plugin does: the JSON register
 * annotation and {@code status.allocatable["nvidia.com/gpu"] = GPUs x splitCount}.
 */
public final class EmbeddedClusterSeeder implements InitializingBean {

    public static final String GPU_RESOURCE = "nvidia.com/gpu";
    private static final Logger log = LoggerFactory.getLogger(EmbeddedClusterSeeder.class);

    private final KubernetesClient client;
    private final HamiProperties.Embedded embedded;

    EmbeddedClusterSeeder(KubernetesClient client, HamiProperties.Embedded embedded) {
        this.client = client;
        this.embedded = embedded;
    }

    @Override
    public void afterPropertiesSet() {
        for (int i = 1; i <= embedded.nodes(); i++) {
            String name = embedded.nodePrefix() + i;
            client.nodes().resource(gpuNode(name, embedded.gpusPerNode(), embedded.model(), embedded.memoryMib(),
                    embedded.splitCount())).create();
        }
        if (embedded.nodes() > 0) {
            log.info("embedded cluster: {} nodes {}1..{} with {} x {} ({} MiB, {} tasks each)", embedded.nodes(),
                    embedded.nodePrefix(), embedded.nodes(), embedded.gpusPerNode(), embedded.model(),
                    embedded.memoryMib(), embedded.splitCount());
        }
    }

    /** A node as a v2.8 device plugin leaves it: GPU UUIDs derived from the node name, so they are stable. */
    public static Node gpuNode(String name, int gpus, String model, int memoryMib, int splitCount) {
        return gpuNode(name, devices(name, gpus, model, memoryMib, splitCount), splitCount);
    }

    public static Node gpuNode(String name, List<DeviceInfo> devices, int splitCount) {
        Quantity gpuReplicas = new Quantity(Integer.toString(devices.size() * splitCount));
        return new NodeBuilder()
                .withNewMetadata().withName(name)
                .withLabels(Map.of("kubernetes.io/hostname", name, "gpu", "on"))
                .withAnnotations(Map.of(HamiKeys.NODE_NVIDIA_REGISTER, NodeRegisterCodec.encode(devices)))
                .endMetadata()
                .withNewStatus()
                .withCapacity(Map.of(GPU_RESOURCE, gpuReplicas, "cpu", new Quantity("64"),
                        "memory", new Quantity("512Gi"), "pods", new Quantity("110")))
                .withAllocatable(Map.of(GPU_RESOURCE, gpuReplicas, "cpu", new Quantity("64"),
                        "memory", new Quantity("512Gi"), "pods", new Quantity("110")))
                .addNewCondition().withType("Ready").withStatus("True").endCondition()
                .endStatus()
                .build();
    }

    public static List<DeviceInfo> devices(String node, int gpus, String model, int memoryMib, int splitCount) {
        List<DeviceInfo> devices = new ArrayList<>(gpus);
        for (int i = 0; i < gpus; i++) {
            String uuid = "GPU-" + UUID.nameUUIDFromBytes((node + "/" + i).getBytes(StandardCharsets.UTF_8));
            devices.add(new DeviceInfo(uuid, i, splitCount, memoryMib, 100, model, 0, DeviceInfo.MODE_HAMI_CORE,
                    true));
        }
        return devices;
    }
}
