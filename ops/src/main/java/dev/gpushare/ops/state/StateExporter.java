package dev.gpushare.ops.state;

import dev.gpushare.common.annotation.AllocationCodec;
import dev.gpushare.common.annotation.AllocationEncoding;
import dev.gpushare.common.annotation.GoTime;
import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.common.annotation.MalformedAnnotationException;
import dev.gpushare.common.annotation.NodeRegisterCodec;
import dev.gpushare.common.annotation.NodeRegistration;
import dev.gpushare.common.device.ContainerDevice;
import dev.gpushare.common.device.DeviceInfo;
import dev.gpushare.common.device.PodAllocation;
import dev.gpushare.common.lock.NodeLockValue;
import dev.gpushare.ops.ClusterFacts;
import dev.gpushare.ops.GpuPods;
import dev.gpushare.ops.SchedulerSettings;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds the {@link StateDocument} of a cluster. Pure. */
public final class StateExporter {

    private StateExporter() {
    }

    public static StateDocument export(ClusterFacts facts, Instant now) {
        AllocationEncoding encoding = SchedulerSettings.allocationEncoding(facts.scheduler()).encoding();
        List<String> problems = new ArrayList<>();
        List<StateDocument.Device> devices = new ArrayList<>();
        List<StateDocument.NodeLock> locks = new ArrayList<>();
        for (Node node : facts.nodes().stream().sorted(Comparator.comparing(n -> n.getMetadata().getName())).toList()) {
            String name = node.getMetadata().getName();
            Map<String, String> annotations = node.getMetadata().getAnnotations() == null ? Map.of()
                    : node.getMetadata().getAnnotations();
            String register = annotations.get(HamiKeys.NODE_NVIDIA_REGISTER);
            if (register != null) {
                try {
                    if (NodeRegisterCodec.decode(register) instanceof NodeRegistration.Registered registered) {
                        for (DeviceInfo d : registered.devices()) {
                            devices.add(new StateDocument.Device(name, d.id(), d.index(), d.type(), d.count(),
                                    d.devmem(), d.devcore(), d.numa(), d.mode(), d.health()));
                        }
                    }
                } catch (MalformedAnnotationException e) {
                    problems.add("node " + name + ": " + HamiKeys.NODE_NVIDIA_REGISTER + " undecodable: "
                            + e.getMessage());
                }
            }
            String lock = annotations.get(HamiKeys.NODE_LOCK);
            if (lock != null) {
                locks.add(lock(name, lock, problems));
            }
        }
        List<StateDocument.Allocation> allocations = new ArrayList<>();
        List<StateDocument.PodState> pods = new ArrayList<>();
        for (Pod pod : facts.pods().stream().filter(GpuPods::relevant)
                .sorted(Comparator.comparing(GpuPods::key)).toList()) {
            pods.add(podState(pod));
            allocations.addAll(allocations(pod, encoding, problems));
        }
        return new StateDocument(StateDocument.FORMAT, GoTime.formatRfc3339(now), encoding.value(),
                facts.lease().map(lease -> {
                    LeaseSpec spec = lease.getSpec();
                    return new StateDocument.LeaseHolder(lease.getMetadata().getNamespace(),
                            lease.getMetadata().getName(), spec == null ? null : spec.getHolderIdentity(),
                            spec == null || spec.getRenewTime() == null ? null
                                    : GoTime.formatRfc3339(spec.getRenewTime().toInstant()));
                }).orElse(null),
                devices, allocations, locks, pods, problems);
    }

    private static StateDocument.NodeLock lock(String node, String value, List<String> problems) {
        try {
            NodeLockValue lock = NodeLockValue.parse(value);
            return new StateDocument.NodeLock(node, value,
                    lock.owner().map(o -> o.namespace() + "/" + o.name()).orElse(null),
                    GoTime.formatRfc3339(lock.time()));
        } catch (MalformedAnnotationException e) {
            problems.add("node " + node + ": " + HamiKeys.NODE_LOCK + " " + e.getMessage());
            return new StateDocument.NodeLock(node, value, null, null);
        }
    }

    static StateDocument.PodState podState(Pod pod) {
        Map<String, String> annotations = new LinkedHashMap<>();
        GpuPods.annotations(pod).forEach((key, value) -> {
            if (GpuPods.SCHEDULER_ANNOTATIONS.contains(key)) {
                annotations.put(key, value);
            }
        });
        Map<String, String> labels = new LinkedHashMap<>();
        Map<String, String> podLabels = pod.getMetadata().getLabels();
        if (podLabels != null && podLabels.containsKey(HamiKeys.VGPU_NODE)) {
            labels.put(HamiKeys.VGPU_NODE, podLabels.get(HamiKeys.VGPU_NODE));
        }
        return new StateDocument.PodState(pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
                pod.getMetadata().getUid(), GpuPods.nodeName(pod), GpuPods.schedulerName(pod), annotations, labels);
    }

    private static List<StateDocument.Allocation> allocations(Pod pod, AllocationEncoding encoding,
                                                              List<String> problems) {
        Map<String, String> annotations = GpuPods.annotations(pod);
        String node = annotations.get(HamiKeys.VGPU_NODE);
        String allocated = annotations.get(HamiKeys.DEVICES_ALLOCATED);
        if (node == null || allocated == null) {
            return List.of();
        }
        PodAllocation allocation;
        try {
            allocation = AllocationCodec.decode(allocated);
        } catch (MalformedAnnotationException e) {
            problems.add("pod " + GpuPods.key(pod) + ": " + HamiKeys.DEVICES_ALLOCATED + " undecodable: "
                    + e.getMessage());
            return List.of();
        }
        List<String> containers = containerNames(pod, encoding);
        List<StateDocument.Allocation> result = new ArrayList<>();
        for (int segment = 0; segment < allocation.containers().size(); segment++) {
            String container = segment < containers.size() ? containers.get(segment) : "#" + segment;
            for (ContainerDevice d : allocation.containers().get(segment)) {
                result.add(new StateDocument.Allocation(pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
                        pod.getMetadata().getUid(), node, segment, container, d.uuid(), d.type(), d.usedmem(),
                        d.usedcores()));
            }
        }
        return result;
    }

    /** The container each segment stands for: regular containers ({@code v2.8}), or init containers first. */
    private static List<String> containerNames(Pod pod, AllocationEncoding encoding) {
        List<String> names = new ArrayList<>();
        if (pod.getSpec() == null) {
            return names;
        }
        if (encoding == AllocationEncoding.V2_9 && pod.getSpec().getInitContainers() != null) {
            pod.getSpec().getInitContainers().stream().map(Container::getName).forEach(names::add);
        }
        if (pod.getSpec().getContainers() != null) {
            pod.getSpec().getContainers().stream().map(Container::getName).forEach(names::add);
        }
        return names;
    }
}
