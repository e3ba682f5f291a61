package dev.gpushare.scheduler.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpushare.common.device.ContainerDevice;
import dev.gpushare.common.device.DeviceInfo;
import dev.gpushare.common.device.DeviceUsage;
import dev.gpushare.common.device.PodAllocation;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** HAMi v2.10's series, exactly as its {@code cmd/scheduler/metrics.go} names and computes them. */
class HamiSeriesTest {

    private static final String A100 = "NVIDIA-NVIDIA A100-SXM4-40GB";

    /** Node n1: GPU-a shared by two containers, GPU-b idle; node n2: a MIG GPU with two instances taken. */
    private static final UsageView VIEW = new UsageView(
            List.of(new UsageView.Node("n1", List.of(
                            gpu("GPU-a", 0, 40960, 100, A100, new DeviceUsage(2, 8000, 50)),
                            gpu("GPU-b", 1, 40960, 100, A100, DeviceUsage.NONE)), Optional.empty()),
                    new UsageView.Node("n2", List.of(new UsageView.Gpu(
                            new DeviceInfo("GPU-m", 0, 7, 40960, 100, A100, 0, DeviceInfo.MODE_MIG, true),
                            new DeviceUsage(2, 20480, 0),
                            List.of(new UsageView.MigInstance("1g.10gb", 0),
                                    new UsageView.MigInstance("1g.10gb", 1)))), Optional.empty()),
                    new UsageView.Node("broken", List.of(), Optional.of("undecodable"))),
            List.of(new UsageView.Pod("team", "p1", "n1", new PodAllocation(List.of(
                            List.of(new ContainerDevice("GPU-a", "NVIDIA", 3000, 30)),
                            List.of(),
                            List.of(new ContainerDevice("GPU-a", "NVIDIA", 5000, 20))))),
                    new UsageView.Pod("ml", "m1", "n2", new PodAllocation(List.of(
                            List.of(new ContainerDevice("GPU-m[0-0]", "NVIDIA", 10240, 0),
                                    new ContainerDevice("GPU-m[0-1]", "NVIDIA", 10240, 0)))))),
            List.of(new UsageView.Quota("team", "nvidia.com/gpumem", 8000, OptionalLong.of(20000)),
                    new UsageView.Quota("team", "nvidia.com/gpucores", 50, OptionalLong.empty())));

    private static UsageView.Gpu gpu(String id, int index, int memory, int cores, String type, DeviceUsage usage) {
        return new UsageView.Gpu(new DeviceInfo(id, index, 10, memory, cores, type, 0, DeviceInfo.MODE_HAMI_CORE,
                true), usage, List.of());
    }

    /** Each sample as {@code name{label="value",...} value}, labels in the family's order. */
    private static List<String> render(List<GaugeFamily> families) {
        List<String> lines = new ArrayList<>();
        for (GaugeFamily family : families) {
            for (GaugeFamily.Sample sample : family.samples()) {
                List<String> pairs = new ArrayList<>();
                for (int i = 0; i < family.labelNames().size(); i++) {
                    pairs.add(family.labelNames().get(i) + "=\"" + sample.labelValues().get(i) + "\"");
                }
                lines.add(family.name() + "{" + String.join(",", pairs) + "} " + sample.value());
            }
        }
        return lines;
    }

    @Test
    void theV210SeriesCarryHamisNamesLabelsUnitsAndZone() {
        List<GaugeFamily> families = HamiSeries.of(VIEW, false);

        assertThat(families).extracting(GaugeFamily::name).containsExactly(
                "hami_gpu_memory_limit_bytes", "hami_gpu_core_limit_ratio", "hami_gpu_memory_allocated_bytes",
                "hami_gpu_shared_count", "hami_gpu_core_allocated_ratio", "hami_node_gpu_overview",
                "hami_node_gpu_memory_allocated_ratio", "hami_node_gpu_mig_instance_info",
                "hami_resource_quota_used", "hami_resource_quota_limit",
                "hami_vgpu_memory_allocated_bytes", "hami_vgpu_core_allocated_ratio");
        assertThat(families).extracting(GaugeFamily::help).containsExactly(
                "Device memory limit for a certain GPU", "Device core limit for a certain GPU",
                "Device memory allocated for a certain GPU", "Number of containers sharing this GPU",
                "Device core allocated for a certain GPU", "GPU overview on a certain node",
                "GPU Memory Allocated Percentage on a certain GPU",
                "Realized MIG instance identity and scheduler placement",
                "resourcequota usage for a certain device", "resourcequota limit for a certain device",
                "vGPU memory allocated from a container", "vGPU core allocated from a container");
        String t = "device_type=\"" + A100 + "\",zone=\"vGPU\"";
        assertThat(render(families)).containsExactly(
                "hami_gpu_memory_limit_bytes{node=\"n1\",device_uuid=\"GPU-a\",device_index=\"0\"," + t + "} 4.294967296E10",
                "hami_gpu_memory_limit_bytes{node=\"n1\",device_uuid=\"GPU-b\",device_index=\"1\"," + t + "} 4.294967296E10",
                "hami_gpu_memory_limit_bytes{node=\"n2\",device_uuid=\"GPU-m\",device_index=\"0\"," + t + "} 4.294967296E10",
                "hami_gpu_core_limit_ratio{node=\"n1\",device_uuid=\"GPU-a\",device_index=\"0\"," + t + "} 100.0",
                "hami_gpu_core_limit_ratio{node=\"n1\",device_uuid=\"GPU-b\",device_index=\"1\"," + t + "} 100.0",
                "hami_gpu_core_limit_ratio{node=\"n2\",device_uuid=\"GPU-m\",device_index=\"0\"," + t + "} 100.0",
                "hami_gpu_memory_allocated_bytes{node=\"n1\",device_uuid=\"GPU-a\",device_index=\"0\",device_cores=\"100\"," + t + "} 8.388608E9",
                "hami_gpu_memory_allocated_bytes{node=\"n1\",device_uuid=\"GPU-b\",device_index=\"1\",device_cores=\"100\"," + t + "} 0.0",
                "hami_gpu_memory_allocated_bytes{node=\"n2\",device_uuid=\"GPU-m\",device_index=\"0\",device_cores=\"100\"," + t + "} 2.147483648E10",
                "hami_gpu_shared_count{node=\"n1\",device_uuid=\"GPU-a\",device_index=\"0\"," + t + "} 2.0",
                "hami_gpu_shared_count{node=\"n1\",device_uuid=\"GPU-b\",device_index=\"1\"," + t + "} 0.0",
                "hami_gpu_shared_count{node=\"n2\",device_uuid=\"GPU-m\",device_index=\"0\"," + t + "} 2.0",
                "hami_gpu_core_allocated_ratio{node=\"n1\",device_uuid=\"GPU-a\",device_index=\"0\"," + t + "} 50.0",
                "hami_gpu_core_allocated_ratio{node=\"n1\",device_uuid=\"GPU-b\",device_index=\"1\"," + t + "} 0.0",
                "hami_gpu_core_allocated_ratio{node=\"n2\",device_uuid=\"GPU-m\",device_index=\"0\"," + t + "} 0.0",
                "hami_node_gpu_overview{node=\"n1\",device_uuid=\"GPU-a\",device_index=\"0\",device_cores=\"100\",device_memory_limit=\"40960\"," + t + "} 8.388608E9",
                "hami_node_gpu_overview{node=\"n1\",device_uuid=\"GPU-b\",device_index=\"1\",device_cores=\"100\",device_memory_limit=\"40960\"," + t + "} 0.0",
                "hami_node_gpu_overview{node=\"n2\",device_uuid=\"GPU-m\",device_index=\"0\",device_cores=\"100\",device_memory_limit=\"40960\"," + t + "} 2.147483648E10",
                "hami_node_gpu_memory_allocated_ratio{node=\"n1\",device_uuid=\"GPU-a\",device_index=\"0\"," + t + "} 0.1953125",
                "hami_node_gpu_memory_allocated_ratio{node=\"n1\",device_uuid=\"GPU-b\",device_index=\"1\"," + t + "} 0.0",
                "hami_node_gpu_memory_allocated_ratio{node=\"n2\",device_uuid=\"GPU-m\",device_index=\"0\"," + t + "} 0.5",
                "hami_node_gpu_mig_instance_info{node=\"n2\",device_uuid=\"GPU-m\",device_index=\"0\",mig_uuid=\"\",profile=\"1g.10gb\",gpu_instance_id=\"\",compute_instance_id=\"\",placement_start=\"0\",placement_size=\"1\",zone=\"vGPU\"} 1.0",
                "hami_node_gpu_mig_instance_info{node=\"n2\",device_uuid=\"GPU-m\",device_index=\"0\",mig_uuid=\"\",profile=\"1g.10gb\",gpu_instance_id=\"\",compute_instance_id=\"\",placement_start=\"1\",placement_size=\"1\",zone=\"vGPU\"} 1.0",
                "hami_resource_quota_used{namespace=\"team\",quota_name=\"nvidia.com/gpucores\",limit=\"0\",zone=\"vGPU\"} 50.0",
                "hami_resource_quota_used{namespace=\"team\",quota_name=\"nvidia.com/gpumem\",limit=\"20000\",zone=\"vGPU\"} 8000.0",
                "hami_resource_quota_limit{namespace=\"team\",quota_name=\"nvidia.com/gpumem\",zone=\"vGPU\"} 20000.0",
                "hami_vgpu_memory_allocated_bytes{namespace=\"ml\",node=\"n2\",pod=\"m1\",container_index=\"0\",device_uuid=\"GPU-m[0-0]\",zone=\"vGPU\"} 1.073741824E10",
                "hami_vgpu_memory_allocated_bytes{namespace=\"ml\",node=\"n2\",pod=\"m1\",container_index=\"0\",device_uuid=\"GPU-m[0-1]\",zone=\"vGPU\"} 1.073741824E10",
                "hami_vgpu_memory_allocated_bytes{namespace=\"team\",node=\"n1\",pod=\"p1\",container_index=\"0\",device_uuid=\"GPU-a\",zone=\"vGPU\"} 3.145728E9",
                "hami_vgpu_memory_allocated_bytes{namespace=\"team\",node=\"n1\",pod=\"p1\",container_index=\"2\",device_uuid=\"GPU-a\",zone=\"vGPU\"} 5.24288E9",
                "hami_vgpu_core_allocated_ratio{namespace=\"ml\",node=\"n2\",pod=\"m1\",container_index=\"0\",device_uuid=\"GPU-m[0-0]\",zone=\"vGPU\"} 0.0",
                "hami_vgpu_core_allocated_ratio{namespace=\"ml\",node=\"n2\",pod=\"m1\",container_index=\"0\",device_uuid=\"GPU-m[0-1]\",zone=\"vGPU\"} 0.0",
                "hami_vgpu_core_allocated_ratio{namespace=\"team\",node=\"n1\",pod=\"p1\",container_index=\"0\",device_uuid=\"GPU-a\",zone=\"vGPU\"} 30.0",
                "hami_vgpu_core_allocated_ratio{namespace=\"team\",node=\"n1\",pod=\"p1\",container_index=\"2\",device_uuid=\"GPU-a\",zone=\"vGPU\"} 20.0");
    }

    @Test
    void theLegacySwitchAddsTheV28NamesWithTheirOldLabelsAsHamiV210EmitsThem() {
        List<GaugeFamily> all = HamiSeries.of(VIEW, true);
        List<String> current = HamiSeries.of(VIEW, false).stream().map(GaugeFamily::name).toList();
        List<GaugeFamily> legacy = all.stream().filter(f -> !current.contains(f.name())).toList();

        assertThat(all).hasSize(current.size() + legacy.size());
        assertThat(legacy).extracting(f -> f.name() + f.labelNames()).containsExactly(
                "GPUDeviceMemoryLimit[nodeid, deviceuuid, deviceidx, devicetype, zone]",
                "GPUDeviceCoreLimit[nodeid, deviceuuid, deviceidx, devicetype, zone]",
                "GPUDeviceMemoryAllocated[nodeid, deviceuuid, deviceidx, devicecores, devicetype, zone]",
                "GPUDeviceSharedNum[nodeid, deviceuuid, deviceidx, devicetype, zone]",
                "GPUDeviceCoreAllocated[nodeid, deviceuuid, deviceidx, devicetype, zone]",
                "nodeGPUOverview[nodeid, deviceuuid, deviceidx, devicecores, devicememorylimit, devicetype, zone]",
                "nodeGPUMemoryPercentage[nodeid, deviceuuid, deviceidx, zone]",
                "nodeGPUMigInstance[nodeid, deviceuuid, deviceidx, migname, zone]",
                "QuotaUsed[quotanamespace, quotaName, limit, zone]",
                "vGPUMemoryAllocated[podnamespace, nodename, podname, containeridx, deviceuuid, zone]",
                "vGPUCoreAllocated[podnamespace, nodename, podname, containeridx, deviceuuid, zone]");
        assertThat(legacy).extracting(GaugeFamily::help).contains("Device memory core limit for a certain GPU",
                "GPU Sharing mode. 0 for hami-core, 1 for mig, 2 for mps");
        String t = "devicetype=\"" + A100 + "\",zone=\"vGPU\"";
        assertThat(render(legacy)).contains(
                "GPUDeviceMemoryLimit{nodeid=\"n1\",deviceuuid=\"GPU-a\",deviceidx=\"0\"," + t + "} 4.294967296E10",
                "GPUDeviceMemoryAllocated{nodeid=\"n1\",deviceuuid=\"GPU-a\",deviceidx=\"0\",devicecores=\"100\"," + t + "} 8.388608E9",
                "GPUDeviceSharedNum{nodeid=\"n1\",deviceuuid=\"GPU-a\",deviceidx=\"0\"," + t + "} 2.0",
                "GPUDeviceCoreAllocated{nodeid=\"n1\",deviceuuid=\"GPU-a\",deviceidx=\"0\"," + t + "} 50.0",
                "nodeGPUOverview{nodeid=\"n1\",deviceuuid=\"GPU-a\",deviceidx=\"0\",devicecores=\"100\",devicememorylimit=\"40960\"," + t + "} 8.388608E9",
                "nodeGPUMemoryPercentage{nodeid=\"n1\",deviceuuid=\"GPU-a\",deviceidx=\"0\",zone=\"vGPU\"} 0.1953125",
                "nodeGPUMigInstance{nodeid=\"n2\",deviceuuid=\"GPU-m\",deviceidx=\"0\",migname=\"1g.10gb-1\",zone=\"vGPU\"} 1.0",
                "QuotaUsed{quotanamespace=\"team\",quotaName=\"nvidia.com/gpumem\",limit=\"20000\",zone=\"vGPU\"} 8000.0",
                "vGPUMemoryAllocated{podnamespace=\"team\",nodename=\"n1\",podname=\"p1\",containeridx=\"2\",deviceuuid=\"GPU-a\",zone=\"vGPU\"} 5.24288E9",
                "vGPUCoreAllocated{podnamespace=\"team\",nodename=\"n1\",podname=\"p1\",containeridx=\"0\",deviceuuid=\"GPU-a\",zone=\"vGPU\"} 30.0");
        // Every legacy family has as many series as its v2.10 twin (the memory ratio of a GPU without memory
        // is left out by both).
        assertThat(legacy.stream().collect(Collectors.toMap(GaugeFamily::name, f -> f.samples().size())))
                .containsEntry("GPUDeviceMemoryLimit", 3).containsEntry("nodeGPUMemoryPercentage", 3)
                .containsEntry("nodeGPUMigInstance", 2).containsEntry("QuotaUsed", 2)
                .containsEntry("vGPUMemoryAllocated", 4);
    }

    @Test
    void aGpuWithoutMemoryHasNoMemoryRatioAndADuplicatedRegistrationDoesNotBreakTheScrape() {
        UsageView view = new UsageView(List.of(new UsageView.Node("n", List.of(
                gpu("GPU-z", 0, 0, 100, A100, DeviceUsage.NONE),
                gpu("GPU-d", 1, 1000, 100, A100, new DeviceUsage(1, 500, 10)),
                gpu("GPU-d", 1, 1000, 100, A100, DeviceUsage.NONE)), Optional.empty())),
                List.of(new UsageView.Pod("ns", "p", "n", new PodAllocation(List.of(List.of(
                        new ContainerDevice("GPU-d", "NVIDIA", 200, 5),
                        new ContainerDevice("GPU-d", "NVIDIA", 300, 5),
                        new ContainerDevice("", "NVIDIA", 300, 5)))))),
                List.of());

        List<String> lines = render(HamiSeries.of(view, false));

        assertThat(lines).filteredOn(l -> l.startsWith("hami_node_gpu_memory_allocated_ratio")).containsExactly(
                "hami_node_gpu_memory_allocated_ratio{node=\"n\",device_uuid=\"GPU-d\",device_index=\"1\","
                        + "device_type=\"" + A100 + "\",zone=\"vGPU\"} 0.5");
        assertThat(lines).filteredOn(l -> l.startsWith("hami_gpu_shared_count")).hasSize(2)
                .contains("hami_gpu_shared_count{node=\"n\",device_uuid=\"GPU-d\",device_index=\"1\",device_type=\""
                        + A100 + "\",zone=\"vGPU\"} 1.0");
        // One container holding the same GPU twice: one series with the sum; a device without UUID is skipped.
        assertThat(lines).filteredOn(l -> l.startsWith("hami_vgpu_memory_allocated_bytes")).containsExactly(
                "hami_vgpu_memory_allocated_bytes{namespace=\"ns\",node=\"n\",pod=\"p\",container_index=\"0\","
                        + "device_uuid=\"GPU-d\",zone=\"vGPU\"} 5.24288E8");
    }

    @Test
    void aNodeWithAnUndecodableRegistrationIsCountedByName() {
        assertThat(render(LedgerSeries.of(VIEW)))
                .containsExactly("gpushare_node_registration_invalid{node=\"broken\"} 1.0");
        assertThat(LedgerSeries.of(UsageView.EMPTY)).singleElement().satisfies(f -> assertThat(f.samples()).isEmpty());
    }

    @Test
    void anEmptyLedgerHasEveryFamilyWithoutSamples() {
        assertThat(HamiSeries.of(UsageView.EMPTY, true)).hasSize(23).allSatisfy(f -> assertThat(f.samples()).isEmpty());
    }
}
