package dev.gpushare.scheduler.state;

import dev.gpushare.common.device.ContainerDevice;
import dev.gpushare.common.device.DeviceInfo;
import dev.gpushare.common.device.PodAllocation;
import dev.gpushare.placement.GpuSnapshot;
import dev.gpushare.placement.NodeSnapshot;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The check {@code /bind} makes under the node lock: does the pod's placement still fit beside the pods bound to the
 * node, as the API lists them at that moment? Another scheduler (a canary beside us, or HAMi's) counts our pods only
 * from what its informer has seen, so two placements made at the same moment from stale views can name the same GPU
 * slice; the node lock orders their binds, and this check refuses the second. A pod bound before the lock was ours
 * was bound by its previous holder before the device plugin released it, so the list shows it. MIG instances are
 * not checked here.
 */
public final class BoundPods {

    private final ClusterState state;
    /** The pods bound to a node ({@code spec.nodeName}), as the API lists them now. */
    private final Function<String, List<Pod>> boundTo;

    public BoundPods(ClusterState state, Function<String, List<Pod>> boundTo) {
        this.state = state;
        this.boundTo = boundTo;
    }

    /** Why {@code placement} of pod {@code uid} no longer fits on {@code node}; empty when it does. */
    public Optional<String> overfilledBy(String node, String uid, PodAllocation placement) {
        NodeSnapshot snapshot = state.snapshotOf(node);
        if (snapshot == null) {
            return Optional.empty();
        }
        return overfilled(node, snapshot.gpus().stream().map(GpuSnapshot::device).toList(), boundTo.apply(node),
                uid, placement, state::gpusOf);
    }

    /**
     * Pure: the first GPU of {@code placement} that {@code pods} bound to {@code node} leave too little of, counting
     * each pod as {@code gpus} reads it (an untrusted placement is skipped: it is not a pod's real placement).
     */
    static Optional<String> overfilled(String node, List<DeviceInfo> registered, List<Pod> pods, String uid,
                                       PodAllocation placement, Function<Pod, PodGpus> gpus) {
        Map<String, DeviceInfo> devices = new LinkedHashMap<>();
        registered.forEach(device -> devices.put(device.id(), device));
        Map<String, int[]> used = new LinkedHashMap<>();
        Map<String, List<String>> holders = new LinkedHashMap<>();
        for (Pod pod : pods) {
            if (uid.equals(pod.getMetadata().getUid())
                    || !(gpus.apply(pod) instanceof PodGpus.Held held) || !held.bound() || !held.node().equals(node)) {
                continue;
            }
            for (ContainerDevice device : held.allocation().devices()) {
                add(used, device);
                holders.computeIfAbsent(device.uuid(), u -> new ArrayList<>())
                        .add(pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName());
            }
        }
        placement.devices().forEach(device -> add(used, device));
        for (ContainerDevice mine : placement.devices()) {
            DeviceInfo device = devices.get(mine.uuid());
            int[] total = used.get(mine.uuid());
            if (device == null || total[0] <= device.count() && total[1] <= device.devmem()
                    && total[2] <= device.devcore()) {
                continue;
            }
            return Optional.of("GPU " + mine.uuid() + " on node " + node + " is taken meanwhile by pods bound there ("
                    + String.join(", ", holders.getOrDefault(mine.uuid(), List.of())) + "): with this pod it would hold "
                    + total[0] + "/" + device.count() + " tasks, " + total[1] + "/" + device.devmem() + " MiB, "
                    + total[2] + "/" + device.devcore() + "% cores; the pod must be filtered again");
        }
        return Optional.empty();
    }

    private static void add(Map<String, int[]> used, ContainerDevice device) {
        int[] total = used.computeIfAbsent(device.uuid(), u -> new int[3]);
        total[0]++;
        total[1] += device.usedmem();
        total[2] += device.usedcores();
    }
}
