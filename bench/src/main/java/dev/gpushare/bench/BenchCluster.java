package dev.gpushare.bench;

import dev.gpushare.common.config.MigGeometryRule;
import dev.gpushare.common.device.ContainerDevice;
import dev.gpushare.common.device.DeviceInfo;
import dev.gpushare.common.device.PodAllocation;
import dev.gpushare.placement.NodeSnapshot;
import dev.gpushare.placement.NodeSnapshotFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A synthetic cluster for the benchmarks: nodes of 8 A100-40GB GPUs (10 slots each), each node holding about 8
 * single-GPU pods of 2-10 GiB and 10-50 % cores, with a fixed seed so every run measures the same cluster.
 */
final class BenchCluster {

    static final int GPUS_PER_NODE = 8;
    static final NodeSnapshotFactory FACTORY = new NodeSnapshotFactory(List.<MigGeometryRule>of());

    private BenchCluster() {
    }

    static List<DeviceInfo> devices(String node) {
        List<DeviceInfo> devices = new ArrayList<>(GPUS_PER_NODE);
        for (int g = 0; g < GPUS_PER_NODE; g++) {
            devices.add(new DeviceInfo(node + "-GPU-" + g, g, 10, 40960, 100, "NVIDIA A100-SXM4-40GB", g / 4,
                    DeviceInfo.MODE_HAMI_CORE, true));
        }
        return devices;
    }

    /** Between 4 and 12 pods (8 on average), each on one GPU, within every GPU's capacity. */
    static List<PodAllocation> pods(List<DeviceInfo> devices, Random random) {
        int[] mem = new int[devices.size()];
        int[] cores = new int[devices.size()];
        List<PodAllocation> pods = new ArrayList<>();
        for (int p = 4 + random.nextInt(9); p > 0; p--) {
            int g = random.nextInt(devices.size());
            int m = 2048 + random.nextInt(8192);
            int c = 10 + random.nextInt(41);
            if (mem[g] + m <= 40960 && cores[g] + c <= 100) {
                mem[g] += m;
                cores[g] += c;
                pods.add(new PodAllocation(List.of(List.of(new ContainerDevice(devices.get(g).id(), "NVIDIA", m, c)))));
            }
        }
        return pods;
    }

    static NodeSnapshot snapshot(String node, Random random) {
        List<DeviceInfo> devices = devices(node);
        return FACTORY.snapshot(node, Map.of(), devices, Map.of(), pods(devices, random));
    }
}
