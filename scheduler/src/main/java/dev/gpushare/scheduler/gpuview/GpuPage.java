package dev.gpushare.scheduler.gpuview;

import dev.gpushare.scheduler.events.DecisionLog;
import dev.gpushare.common.device.ContainerDevice;
import dev.gpushare.placement.GpuSnapshot;
import dev.gpushare.placement.NodeSnapshot;
import dev.gpushare.scheduler.state.PodEntry;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * What the GPU page shows, at one moment: every GPU node with its GPUs (slots, memory and cores in use, the pods on
 * each), the pods waiting for our scheduler with the reason they wait, recent decisions, the leader and the
 * policies in force. A pure picture assembled from the ledger and the informer cache; the page renders it as it is.
 */
public record GpuPage(Instant at, String mode, String schedulerName, Leader leader, Policy policy, List<Node> nodes,
                      List<Pending> pending, List<DecisionLog.Decision> decisions) {

    public record Leader(String identity, String holder, boolean leader, long term, boolean synced) {
    }

    public record Policy(String node, String gpu) {
    }

    /** @param problem why the node's registration cannot be decoded, or {@code null} */
    public record Node(String name, String problem, List<Gpu> gpus) {
    }

    public record Gpu(String uuid, int index, String type, boolean healthy, Usage slots, Usage memoryMib,
                      Usage cores, List<PodOnGpu> pods) {
    }

    public record Usage(long used, long total) {
    }

    /** @param bound {@code false} for a reservation made by {@code /filter} that is not bound yet */
    public record PodOnGpu(String namespace, String name, long memoryMib, long cores, boolean bound) {
    }

    /**
     * @param reason the {@code PodScheduled} condition's reason and message ({@code null} before a first try), or
     *               {@code Binding} while the pod holds a reservation made by {@code /filter}
     */
    public record Pending(String namespace, String name, Instant created, String reason, String message) {
    }

    /** The ledger as the page needs it: each GPU node's snapshot and the entries counted on it. */
    public record Ledger(Map<String, NodeSnapshot> nodes, Map<String, List<PodEntry>> pods) {
    }

    /** The same picture with another time stamp. */
    GpuPage atTime(Instant time) {
        return new GpuPage(time, mode, schedulerName, leader, policy, nodes, pending, decisions);
    }

    static GpuPage assemble(Instant at, String mode, String schedulerName, Leader leader, Policy policy,
                            Ledger ledger, Collection<Pod> pods, List<DecisionLog.Decision> decisions) {
        List<Node> nodes = new ArrayList<>();
        ledger.nodes().keySet().stream().sorted().forEach(name -> {
            NodeSnapshot snapshot = ledger.nodes().get(name);
            List<PodEntry> entries = ledger.pods().getOrDefault(name, List.of());
            List<Gpu> gpus = new ArrayList<>();
            for (GpuSnapshot gpu : snapshot.gpus()) {
                gpus.add(gpu(gpu, entries));
            }
            nodes.add(new Node(name, snapshot.registrationProblem().orElse(null), gpus));
        });
        Map<String, String> reservedOn = new java.util.HashMap<>();
        ledger.pods().forEach((node, entries) -> entries.stream().filter(e -> !e.bound())
                .forEach(e -> reservedOn.put(e.uid(), node)));
        List<Pending> pending = new ArrayList<>();
        for (Pod pod : pods) {
            if (waitsFor(pod, schedulerName)) {
                pending.add(pending(pod, reservedOn.get(pod.getMetadata().getUid())));
            }
        }
        pending.sort(Comparator.comparing(Pending::namespace).thenComparing(Pending::name));
        return new GpuPage(at, mode, schedulerName, leader, policy, nodes, pending, decisions);
    }

    private static Gpu gpu(GpuSnapshot gpu, List<PodEntry> entries) {
        List<PodOnGpu> on = new ArrayList<>();
        for (PodEntry entry : entries) {
            long memory = 0;
            long cores = 0;
            boolean holds = false;
            for (ContainerDevice device : entry.allocation().devices()) {
                if (device.uuid().equals(gpu.device().id())) {
                    holds = true;
                    memory += device.usedmem();
                    cores += device.usedcores();
                }
            }
            if (holds) {
                on.add(new PodOnGpu(entry.namespace(), entry.name(), memory, cores, entry.bound()));
            }
        }
        on.sort(Comparator.comparing(PodOnGpu::namespace).thenComparing(PodOnGpu::name));
        return new Gpu(gpu.device().id(), gpu.device().index(), gpu.device().type(), gpu.healthy(),
                new Usage(gpu.usage().used(), gpu.device().count()),
                new Usage(gpu.usage().usedmem(), gpu.device().devmem()),
                new Usage(gpu.usage().usedcores(), gpu.device().devcore()), on);
    }

    private static boolean waitsFor(Pod pod, String schedulerName) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return pod.getSpec() != null && schedulerName.equals(pod.getSpec().getSchedulerName())
                && (pod.getSpec().getNodeName() == null || pod.getSpec().getNodeName().isEmpty())
                && pod.getMetadata().getDeletionTimestamp() == null
                && !"Succeeded".equals(phase) && !"Failed".equals(phase);
    }

    /** {@code reservedOn}: the node {@code /filter} placed the pod on, when it holds a reservation there. */
    private static Pending pending(Pod pod, String reservedOn) {
        String created = pod.getMetadata().getCreationTimestamp();
        Instant since = null;
        try {
            since = created == null ? null : Instant.parse(created);
        } catch (java.time.format.DateTimeParseException e) {
            // shown without an age
        }
        PodCondition scheduled = pod.getStatus() == null || pod.getStatus().getConditions() == null ? null
                : pod.getStatus().getConditions().stream().filter(c -> "PodScheduled".equals(c.getType()))
                        .findFirst().orElse(null);
        if (reservedOn != null) {
            return new Pending(pod.getMetadata().getNamespace(), pod.getMetadata().getName(), since, "Binding",
                    "placed on " + reservedOn + " by /filter, waiting for /bind");
        }
        return new Pending(pod.getMetadata().getNamespace(), pod.getMetadata().getName(), since,
                scheduled == null ? null : scheduled.getReason(), scheduled == null ? null : scheduled.getMessage());
    }
}
