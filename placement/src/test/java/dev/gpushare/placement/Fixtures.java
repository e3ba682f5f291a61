package dev.gpushare.placement;

import dev.gpushare.common.annotation.AllocationEncoding;
import dev.gpushare.common.config.MigGeometryRule;
import dev.gpushare.common.config.MigTemplate;
import dev.gpushare.common.device.ContainerDevice;
import dev.gpushare.common.device.DeviceInfo;
import dev.gpushare.common.device.PodAllocation;
import dev.gpushare.common.request.ContainerRequest;
import dev.gpushare.common.request.PodRequest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Hand-written builders for snapshots, pods and engines. */
final class Fixtures {

    static final String T4 = "NVIDIA-Tesla T4";
    static final String A100 = "NVIDIA A100-SXM4-40GB";
    static final String A10 = "NVIDIA A10";

    /** A30-like rule: 4 x 6 GB, 2 x 12 GB or 1 x 24 GB. */
    static final List<MigGeometryRule> MIG_RULES = List.of(new MigGeometryRule(List.of("A30"), List.of(
            List.of(new MigTemplate("1g.6gb", 25, 6144, 4)),
            List.of(new MigTemplate("2g.12gb", 50, 12288, 2)),
            List.of(new MigTemplate("4g.24gb", 100, 24576, 1)))));

    static final NodeSnapshotFactory FACTORY = new NodeSnapshotFactory(MIG_RULES);

    private Fixtures() {
    }

    static DeviceInfo gpu(String id, String type, int count, int devmem, int devcore, int numa) {
        return new DeviceInfo(id, 0, count, devmem, devcore, type, numa, DeviceInfo.MODE_HAMI_CORE, true);
    }

    /** A T4 as HAMi's plugin registers it with the defaults: 10 slots, 15360 MiB, 100 % cores, NUMA 0. */
    static DeviceInfo t4(String id) {
        return gpu(id, T4, 10, 15360, 100, 0);
    }

    static DeviceInfo unhealthy(DeviceInfo d) {
        return new DeviceInfo(d.id(), d.index(), d.count(), d.devmem(), d.devcore(), d.type(), d.numa(), d.mode(),
                false);
    }

    static DeviceInfo migGpu(String id) {
        return new DeviceInfo(id, 0, 10, 24576, 100, "NVIDIA A30", 0, DeviceInfo.MODE_MIG, true);
    }

    static ContainerDevice used(String uuid, int mem, int cores) {
        return new ContainerDevice(uuid, "NVIDIA", mem, cores);
    }

    static PodAllocation pod(ContainerDevice... devices) {
        return new PodAllocation(List.of(List.of(devices)));
    }

    static NodeBuilder node(String name) {
        return new NodeBuilder(name);
    }

    static final class NodeBuilder {
        private final String name;
        private final List<DeviceInfo> devices = new ArrayList<>();
        private final List<PodAllocation> pods = new ArrayList<>();
        private final Map<String, String> labels = new HashMap<>();
        private final Map<String, Map<String, Integer>> pairs = new HashMap<>();
        private String cordon;

        private NodeBuilder(String name) {
            this.name = name;
        }

        NodeBuilder gpus(DeviceInfo... gpus) {
            devices.addAll(Arrays.asList(gpus));
            return this;
        }

        NodeBuilder pods(PodAllocation... allocations) {
            pods.addAll(Arrays.asList(allocations));
            return this;
        }

        /** The node annotation {@code hami.io/device-cordon}. */
        NodeBuilder cordon(String annotation) {
            cordon = annotation;
            return this;
        }

        NodeBuilder label(String key, String value) {
            labels.put(key, value);
            return this;
        }

        /** Symmetric link score between two GPUs. */
        NodeBuilder link(String a, String b, int score) {
            pairs.computeIfAbsent(a, k -> new HashMap<>()).put(b, score);
            pairs.computeIfAbsent(b, k -> new HashMap<>()).put(a, score);
            return this;
        }

        NodeSnapshot build() {
            return build(FACTORY);
        }

        NodeSnapshot build(NodeSnapshotFactory factory) {
            return factory.snapshot(name, labels, NodeSnapshotFactory.cordoned(cordon), devices, pairs, pods);
        }
    }

    /** A regular container: {@code nums} GPUs of {@code memreq} MiB and {@code cores} % each. */
    static ContainerRequest ctr(int nums, int memreq, int cores) {
        return new ContainerRequest("main", false, nums, memreq, ContainerRequest.PERCENTAGE_NOT_GIVEN, cores, -1);
    }

    static ContainerRequest named(String name, boolean init, int nums, int memreq, int cores) {
        return new ContainerRequest(name, init, nums, memreq, ContainerRequest.PERCENTAGE_NOT_GIVEN, cores, -1);
    }

    static ContainerRequest percent(int nums, int percentage, int cores) {
        return new ContainerRequest("main", false, nums, 0, percentage, cores, -1);
    }

    static ContainerRequest none(String name) {
        return new ContainerRequest(name, false, 0, 0, ContainerRequest.PERCENTAGE_NOT_GIVEN, 0, -1);
    }

    static PlacementRequest request(ContainerRequest container, String... annotations) {
        return request(new PodRequest(List.of(), List.of(container)), NamespaceQuota.NONE, annotations);
    }

    static PlacementRequest request(PodRequest pod, NamespaceQuota quota, String... annotations) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < annotations.length; i += 2) {
            map.put(annotations[i], annotations[i + 1]);
        }
        return new PlacementRequest("ns", "pod", pod, map, quota);
    }

    static PlacementEngine engine() {
        return new PlacementEngine(PlacementSettings.defaults());
    }

    static PlacementEngine engine(NodePolicy node, GpuPolicy gpu) {
        return new PlacementEngine(new PlacementSettings(node, gpu, true, AllocationEncoding.V2_8));
    }

    static PlacementEngine engine(AllocationEncoding encoding) {
        return new PlacementEngine(new PlacementSettings(NodePolicy.BINPACK, GpuPolicy.SPREAD, true, encoding));
    }

    static PlacementResult.Placed placed(PlacementResult result) {
        if (result instanceof PlacementResult.Placed p) {
            return p;
        }
        throw new AssertionError("expected a placement, got " + result);
    }

    /** The reason of the only candidate, which must have been rejected. */
    static String reasonOf(PlacementResult result) {
        if (result instanceof PlacementResult.Unschedulable u && u.failedNodes().size() == 1) {
            return u.failedNodes().values().iterator().next().wireText();
        }
        throw new AssertionError("expected one rejected node, got " + result);
    }

    /** The rejected nodes with their reasons as the answer writes them. */
    static Map<String, String> wireTexts(Map<String, NodeRejection> failed) {
        Map<String, String> texts = new java.util.TreeMap<>();
        failed.forEach((node, rejection) -> texts.put(node, rejection.wireText()));
        return texts;
    }

    /** The UUIDs given to each container, in allocation order. */
    static List<List<String>> uuids(PlacementResult result) {
        return placed(result).allocation().containers().stream()
                .map(c -> c.stream().map(ContainerDevice::uuid).toList()).toList();
    }
}
