package dev.gpushare.placement;

import dev.gpushare.common.annotation.MigUuid;
import dev.gpushare.common.device.ContainerDevice;
import dev.gpushare.common.device.DeviceUsage;
import dev.gpushare.common.device.PodAllocation;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a placement made elsewhere (written into a pod's annotations by a previous leader or another instance)
 * still fits a node as the ledger sees it now: every GPU it names is registered and healthy on the node, and with
 * it no GPU goes over its slots, memory or cores. The placement's own choice (policy, selectors) is not redone: it
 * was the placing scheduler's; what must hold is that no GPU is oversubscribed.
 */
public final class AllocationFit {

    private AllocationFit() {
    }

    /** Why {@code allocation} does not fit on {@code node} now, or empty when it does. */
    public static Optional<String> problem(NodeSnapshot node, PodAllocation allocation) {
        Map<String, GpuSnapshot> gpus = new HashMap<>();
        for (GpuSnapshot gpu : node.gpus()) {
            gpus.put(gpu.device().id(), gpu);
        }
        Map<String, DeviceUsage> after = new HashMap<>();
        for (ContainerDevice device : allocation.devices()) {
            String id = MigUuid.baseOf(device.uuid());
            GpuSnapshot gpu = gpus.get(id);
            if (gpu == null) {
                return Optional.of("GPU " + id + " is not registered on node " + node.name());
            }
            if (!gpu.healthy()) {
                return Optional.of("GPU " + id + " on node " + node.name() + " is unhealthy");
            }
            DeviceUsage usage = after.getOrDefault(id, gpu.usage()).plus(device);
            after.put(id, usage);
            if (usage.used() > gpu.device().count()) {
                return Optional.of("GPU " + id + " would run " + usage.used() + " tasks of "
                        + gpu.device().count());
            }
            if (usage.usedmem() > gpu.device().devmem()) {
                return Optional.of("GPU " + id + " would hold " + usage.usedmem() + " MiB of "
                        + gpu.device().devmem());
            }
            if (usage.usedcores() > gpu.device().devcore()) {
                return Optional.of("GPU " + id + " would use " + usage.usedcores() + "% of "
                        + gpu.device().devcore() + "% cores");
            }
        }
        return Optional.empty();
    }
}
