package dev.gpushare.placement;

import dev.gpushare.common.annotation.AllocationEncoding;
import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.common.device.ContainerDevice;
import dev.gpushare.common.device.DeviceInfo;
import dev.gpushare.common.device.PodAllocation;
import dev.gpushare.common.request.ContainerRequest;
import dev.gpushare.common.request.PodRequest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Random clusters and pods for the property tests; every generated usage is within the GPUs' capacity. */
final class Scenarios {

    static final String[] MODELS = {"NVIDIA-Tesla T4", "NVIDIA A100-SXM4-40GB", "NVIDIA A10", "NVIDIA A100-PCIE-80GB",
        "NVIDIA H100 80GB HBM3"};
    private static final String[] TYPE_ENTRIES = {"A100", "a10", "Tesla T4", " T4 ", "", "A100-SXM4", "H100", "nvidia",
        "80GB", "-"};
    private static final int[] MEMORIES = {8192, 15360, 24576, 40960};
    private static final int[] CORES = {0, 10, 25, 50, 100, 120};

    /** A node as the ledger would hold it: registration plus the pods counted on it. */
    record NodeSpec(String name, List<DeviceInfo> devices, List<PodAllocation> pods) {
        NodeSnapshot snapshot() {
            return Fixtures.FACTORY.snapshot(name, Map.of(), devices, Map.of(), pods);
        }

        NodeSpec with(PodAllocation allocation) {
            List<PodAllocation> more = new ArrayList<>(pods);
            more.add(allocation);
            return new NodeSpec(name, devices, more);
        }
    }

    record Scenario(PlacementSettings settings, List<NodeSpec> nodes, PlacementRequest request) {
        List<NodeSnapshot> snapshots() {
            return nodes.stream().map(NodeSpec::snapshot).toList();
        }

        PlacementResult place() {
            return new PlacementEngine(settings).place(request, snapshots());
        }

        @Override
        public String toString() {
            return "\n  settings " + settings + "\n  request " + request + "\n  nodes " + nodes;
        }
    }

    private Scenarios() {
    }

    static Scenario scenario(Random r) {
        PlacementSettings settings = settings(r);
        int nodeCount = 1 + r.nextInt(6);
        List<NodeSpec> nodes = new ArrayList<>();
        for (int i = 0; i < nodeCount; i++) {
            nodes.add(node(r, "node-" + (char) ('a' + i)));
        }
        return new Scenario(settings, nodes, request(r, settings.encoding(), nodes));
    }

    static PlacementSettings settings(Random r) {
        return new PlacementSettings(pick(r, NodePolicy.values()), pick(r, GpuPolicy.values()), true,
                pick(r, AllocationEncoding.values()));
    }

    static NodeSpec node(Random r, String name) {
        int gpus = 1 + r.nextInt(8);
        List<DeviceInfo> devices = new ArrayList<>();
        for (int j = 0; j < gpus; j++) {
            devices.add(gpu(r, name + "-gpu" + j));
        }
        List<PodAllocation> pods = new ArrayList<>();
        for (DeviceInfo d : devices) {
            if (!DeviceInfo.MODE_MIG.equals(d.mode())) {
                existingUsage(r, d, pods);
            }
        }
        return new NodeSpec(name, devices, pods);
    }

    private static DeviceInfo gpu(Random r, String id) {
        if (r.nextInt(8) == 0) {
            return new DeviceInfo(id, 0, 7, 24576, 100, "NVIDIA A30", r.nextInt(2), DeviceInfo.MODE_MIG, true);
        }
        int devcore = r.nextInt(20) == 0 ? 0 : r.nextInt(6) == 0 ? 200 : 100;
        return new DeviceInfo(id, 0, 1 + r.nextInt(10), pick(r, MEMORIES), devcore, pick(r, MODELS), r.nextInt(2),
                DeviceInfo.MODE_HAMI_CORE, r.nextInt(10) != 0);
    }

    /** Up to three earlier pods on the GPU, each added only if it stays within every capacity. */
    private static void existingUsage(Random r, DeviceInfo d, List<PodAllocation> pods) {
        int used = 0;
        int mem = 0;
        int cores = 0;
        for (int k = r.nextInt(4); k > 0; k--) {
            int m = r.nextInt(d.devmem() / 2 + 1);
            int c = r.nextInt(d.devcore() / 2 + 1);
            if (used + 1 <= d.count() && mem + m <= d.devmem() && cores + c <= d.devcore()) {
                used++;
                mem += m;
                cores += c;
                pods.add(new PodAllocation(List.of(List.of(new ContainerDevice(d.id(), "NVIDIA", m, c)))));
            }
        }
    }

    static PlacementRequest request(Random r, AllocationEncoding encoding, List<NodeSpec> nodes) {
        List<ContainerRequest> init = new ArrayList<>();
        if (encoding == AllocationEncoding.V2_9 && r.nextInt(4) == 0) {
            init.add(container(r, "init-0", true));
        }
        List<ContainerRequest> containers = new ArrayList<>();
        int count = 1 + r.nextInt(2);
        for (int i = 0; i < count; i++) {
            containers.add(container(r, "c" + i, false));
        }
        Map<String, String> annotations = new LinkedHashMap<>();
        if (r.nextInt(10) < 3) {
            annotations.put(HamiKeys.USE_GPU_TYPE, typeList(r));
        }
        if (r.nextInt(10) < 2) {
            annotations.put(HamiKeys.NOUSE_GPU_TYPE, typeList(r));
        }
        if (r.nextInt(10) < 2) {
            annotations.put(HamiKeys.USE_GPU_UUID, uuidList(r, nodes));
        }
        if (r.nextInt(10) < 2) {
            annotations.put(HamiKeys.NOUSE_GPU_UUID, uuidList(r, nodes));
        }
        if (r.nextInt(10) < 2) {
            annotations.put(HamiKeys.NUMA_BIND, "true");
        }
        if (r.nextInt(10) < 3) {
            annotations.put(HamiKeys.GPU_SCHEDULER_POLICY, pick(r, GpuPolicy.values()).value());
        }
        if (r.nextInt(10) < 3) {
            annotations.put(HamiKeys.NODE_SCHEDULER_POLICY, pick(r, NodePolicy.values()).value());
        }
        NamespaceQuota quota = r.nextInt(5) == 0
                ? new NamespaceQuota(r.nextInt(60000), r.nextInt(20000), r.nextInt(300), r.nextInt(100))
                : NamespaceQuota.NONE;
        return new PlacementRequest("ns", "pod", new PodRequest(init, containers), annotations, quota);
    }

    private static ContainerRequest container(Random r, String name, boolean init) {
        if (r.nextInt(5) == 0) {
            return new ContainerRequest(name, init, 0, 0, ContainerRequest.PERCENTAGE_NOT_GIVEN, 0, -1);
        }
        int nums = r.nextInt(10) < 7 ? 1 : 2 + r.nextInt(2);
        int cores = pick(r, CORES);
        return switch (r.nextInt(3)) {
            case 0 -> new ContainerRequest(name, init, nums, 0, 1 + r.nextInt(100), cores, -1);
            case 1 -> new ContainerRequest(name, init, nums, 1 + r.nextInt(12000),
                    ContainerRequest.PERCENTAGE_NOT_GIVEN, cores, -1);
            default -> new ContainerRequest(name, init, nums, 0, 100, cores, -1);
        };
    }

    private static String typeList(Random r) {
        List<String> entries = new ArrayList<>();
        for (int k = 1 + r.nextInt(2); k > 0; k--) {
            entries.add(pick(r, TYPE_ENTRIES));
        }
        return String.join(",", entries);
    }

    private static String uuidList(Random r, List<NodeSpec> nodes) {
        List<String> entries = new ArrayList<>();
        for (int k = 1 + r.nextInt(4); k > 0; k--) {
            NodeSpec node = nodes.get(r.nextInt(nodes.size()));
            String id = node.devices().get(r.nextInt(node.devices().size())).id();
            entries.add(r.nextBoolean() ? id : " " + id + " ");
        }
        if (r.nextInt(4) == 0) {
            entries.add("");
        }
        return String.join(",", entries);
    }

    static <T> T pick(Random r, T[] values) {
        return values[r.nextInt(values.length)];
    }

    static int pick(Random r, int[] values) {
        return values[r.nextInt(values.length)];
    }
}
