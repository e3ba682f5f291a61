package dev.gpushare.scheduler.metrics;

import dev.gpushare.common.device.ContainerDevice;
import dev.gpushare.common.device.DeviceInfo;
import dev.gpushare.common.device.DeviceUsage;
import java.util.ArrayList;
import java.util.List;

/**
 * HAMi's scheduler series, with the names, HELP texts, labels and units of HAMi v2.10.0
 * ({@code cmd/scheduler/metrics.go}), computed from one {@link UsageView}. Memory is in bytes (the ledger counts
 * MiB), cores in percent of one GPU as HAMi reports them, and every series carries {@code zone="vGPU"}, the
 * constant label HAMi's collector is registered with. With {@code legacy}, the v2.8 names that HAMi v2.10 still
 * emits behind {@code --legacy-metrics} follow, with their old label names. Pure.
 */
public final class HamiSeries {

    /** HAMi registers its cluster collector with the constant label {@code zone="vGPU"}. */
    public static final String ZONE = "vGPU";
    private static final double MIB = 1024.0 * 1024.0;

    private HamiSeries() {
    }

    public static List<GaugeFamily> of(UsageView view, boolean legacy) {
        List<GaugeFamily> families = new ArrayList<>();
        nodes(view, families, legacy);
        quotas(view, families, legacy);
        containers(view, families, legacy);
        return List.copyOf(families);
    }

    private static void nodes(UsageView view, List<GaugeFamily> out, boolean legacy) {
        var memoryLimit = family("hami_gpu_memory_limit_bytes", "Device memory limit for a certain GPU",
                "node", "device_uuid", "device_index", "device_type");
        var coreLimit = family("hami_gpu_core_limit_ratio", "Device core limit for a certain GPU",
                "node", "device_uuid", "device_index", "device_type");
        var memoryAllocated = family("hami_gpu_memory_allocated_bytes", "Device memory allocated for a certain GPU",
                "node", "device_uuid", "device_index", "device_cores", "device_type");
        var shared = family("hami_gpu_shared_count", "Number of containers sharing this GPU",
                "node", "device_uuid", "device_index", "device_type");
        var coreAllocated = family("hami_gpu_core_allocated_ratio", "Device core allocated for a certain GPU",
                "node", "device_uuid", "device_index", "device_type");
        var overview = family("hami_node_gpu_overview", "GPU overview on a certain node",
                "node", "device_uuid", "device_index", "device_cores", "device_memory_limit", "device_type");
        var memoryRatio = family("hami_node_gpu_memory_allocated_ratio",
                "GPU Memory Allocated Percentage on a certain GPU",
                "node", "device_uuid", "device_index", "device_type");
        var mig = family("hami_node_gpu_mig_instance_info", "Realized MIG instance identity and scheduler placement",
                "node", "device_uuid", "device_index", "mig_uuid", "profile", "gpu_instance_id",
                "compute_instance_id", "placement_start", "placement_size");

        var legacyMemoryLimit = family("GPUDeviceMemoryLimit", "Device memory limit for a certain GPU",
                "nodeid", "deviceuuid", "deviceidx", "devicetype");
        var legacyCoreLimit = family("GPUDeviceCoreLimit", "Device memory core limit for a certain GPU",
                "nodeid", "deviceuuid", "deviceidx", "devicetype");
        var legacyMemoryAllocated = family("GPUDeviceMemoryAllocated", "Device memory allocated for a certain GPU",
                "nodeid", "deviceuuid", "deviceidx", "devicecores", "devicetype");
        var legacyShared = family("GPUDeviceSharedNum", "Number of containers sharing this GPU",
                "nodeid", "deviceuuid", "deviceidx", "devicetype");
        var legacyCoreAllocated = family("GPUDeviceCoreAllocated", "Device core allocated for a certain GPU",
                "nodeid", "deviceuuid", "deviceidx", "devicetype");
        var legacyOverview = family("nodeGPUOverview", "GPU overview on a certain node",
                "nodeid", "deviceuuid", "deviceidx", "devicecores", "devicememorylimit", "devicetype");
        var legacyMemoryRatio = family("nodeGPUMemoryPercentage", "GPU Memory Allocated Percentage on a certain GPU",
                "nodeid", "deviceuuid", "deviceidx");
        var legacyMig = family("nodeGPUMigInstance", "GPU Sharing mode. 0 for hami-core, 1 for mig, 2 for mps",
                "nodeid", "deviceuuid", "deviceidx", "migname");

        for (UsageView.Node node : view.nodes()) {
            for (UsageView.Gpu gpu : node.gpus()) {
                DeviceInfo d = gpu.device();
                DeviceUsage u = gpu.usage();
                String n = node.name();
                String index = Integer.toString(d.index());
                String cores = Integer.toString(d.devcore());
                for (UsageView.MigInstance instance : gpu.migInstances()) {
                    // The scheduler knows the template and slot it chose; the MIG UUID and instance ids exist
                    // only once the device plugin has created the instance, so they stay empty here.
                    mig.add(1, n, d.id(), index, "", instance.profile(), "", "",
                            Integer.toString(instance.slot()), "1", ZONE);
                    if (legacy) {
                        legacyMig.add(1, n, d.id(), index, instance.profile() + "-" + instance.slot(), ZONE);
                    }
                }
                memoryLimit.add(d.devmem() * MIB, n, d.id(), index, d.type(), ZONE);
                coreLimit.add(d.devcore(), n, d.id(), index, d.type(), ZONE);
                memoryAllocated.add(u.usedmem() * MIB, n, d.id(), index, cores, d.type(), ZONE);
                shared.add(u.used(), n, d.id(), index, d.type(), ZONE);
                coreAllocated.add(u.usedcores(), n, d.id(), index, d.type(), ZONE);
                overview.add(u.usedmem() * MIB, n, d.id(), index, cores, Integer.toString(d.devmem()), d.type(),
                        ZONE);
                if (d.devmem() > 0) {
                    memoryRatio.add((double) u.usedmem() / d.devmem(), n, d.id(), index, d.type(), ZONE);
                }
                if (legacy) {
                    legacyMemoryLimit.add(d.devmem() * MIB, n, d.id(), index, d.type(), ZONE);
                    legacyCoreLimit.add(d.devcore(), n, d.id(), index, d.type(), ZONE);
                    legacyMemoryAllocated.add(u.usedmem() * MIB, n, d.id(), index, cores, d.type(), ZONE);
                    legacyShared.add(u.used(), n, d.id(), index, d.type(), ZONE);
                    legacyCoreAllocated.add(u.usedcores(), n, d.id(), index, d.type(), ZONE);
                    legacyOverview.add(u.usedmem() * MIB, n, d.id(), index, cores, Integer.toString(d.devmem()),
                            d.type(), ZONE);
                    if (d.devmem() > 0) {
                        legacyMemoryRatio.add((double) u.usedmem() / d.devmem(), n, d.id(), index, ZONE);
                    }
                }
            }
        }
        add(out, memoryLimit, coreLimit, memoryAllocated, shared, coreAllocated, overview, memoryRatio, mig);
        if (legacy) {
            add(out, legacyMemoryLimit, legacyCoreLimit, legacyMemoryAllocated, legacyShared, legacyCoreAllocated,
                    legacyOverview, legacyMemoryRatio, legacyMig);
        }
    }

    private static void quotas(UsageView view, List<GaugeFamily> out, boolean legacy) {
        var used = family("hami_resource_quota_used", "resourcequota usage for a certain device",
                "namespace", "quota_name", "limit");
        var limit = family("hami_resource_quota_limit", "resourcequota limit for a certain device",
                "namespace", "quota_name");
        var legacyUsed = family("QuotaUsed", "resourcequota usage for a certain device",
                "quotanamespace", "quotaName", "limit");
        for (UsageView.Quota quota : view.quotas()) {
            // HAMi writes 0 into the limit label of a resource that no ResourceQuota limits.
            String limitText = Long.toString(quota.limit().orElse(0));
            used.add(quota.used(), quota.namespace(), quota.resource(), limitText, ZONE);
            quota.limit().ifPresent(l -> limit.add(l, quota.namespace(), quota.resource(), ZONE));
            if (legacy) {
                legacyUsed.add(quota.used(), quota.namespace(), quota.resource(), limitText, ZONE);
            }
        }
        add(out, used, limit);
        if (legacy) {
            add(out, legacyUsed);
        }
    }

    private static void containers(UsageView view, List<GaugeFamily> out, boolean legacy) {
        var memory = family("hami_vgpu_memory_allocated_bytes", "vGPU memory allocated from a container",
                "namespace", "node", "pod", "container_index", "device_uuid");
        var cores = family("hami_vgpu_core_allocated_ratio", "vGPU core allocated from a container",
                "namespace", "node", "pod", "container_index", "device_uuid");
        var legacyMemory = family("vGPUMemoryAllocated", "vGPU memory allocated from a container",
                "podnamespace", "nodename", "podname", "containeridx", "deviceuuid");
        var legacyCores = family("vGPUCoreAllocated", "vGPU core allocated from a container",
                "podnamespace", "nodename", "podname", "containeridx", "deviceuuid");
        for (UsageView.Pod pod : view.pods()) {
            List<List<ContainerDevice>> containers = pod.allocation().containers();
            for (int index = 0; index < containers.size(); index++) {
                for (ContainerDevice device : containers.get(index)) {
                    if (device.uuid().isEmpty()) {
                        continue;  // HAMi skips a device without UUID as well
                    }
                    String[] labels = {pod.namespace(), pod.node(), pod.name(), Integer.toString(index),
                        device.uuid(), ZONE};
                    memory.accumulate(device.usedmem() * MIB, labels);
                    cores.accumulate(device.usedcores(), labels);
                    if (legacy) {
                        legacyMemory.accumulate(device.usedmem() * MIB, labels);
                        legacyCores.accumulate(device.usedcores(), labels);
                    }
                }
            }
        }
        add(out, memory, cores);
        if (legacy) {
            add(out, legacyMemory, legacyCores);
        }
    }

    private static GaugeFamily.Builder family(String name, String help, String... labels) {
        String[] withZone = new String[labels.length + 1];
        System.arraycopy(labels, 0, withZone, 0, labels.length);
        withZone[labels.length] = "zone";
        return new GaugeFamily.Builder(name, help, withZone);
    }

    private static void add(List<GaugeFamily> out, GaugeFamily.Builder... builders) {
        for (GaugeFamily.Builder builder : builders) {
            out.add(builder.build());
        }
    }
}
