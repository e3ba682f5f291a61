package dev.gpushare.scheduler.metrics;

import dev.gpushare.common.device.DeviceInfo;
import dev.gpushare.common.device.DeviceUsage;
import dev.gpushare.common.device.PodAllocation;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What the HAMi series are computed from: one consistent, immutable picture of the usage ledger, taken once per
 * scrape (the series are derived from it, never kept as a second copy of the state).
 *
 * @param nodes  every node the registry knows, with its GPUs as registered and what the ledger counts on each
 * @param pods   every pod the ledger counts (bound pods and reservations made by {@code /filter}, as HAMi's pod
 *               manager holds both)
 * @param quotas per namespace and managed resource, what its pods hold and the limit in force
 */
public record UsageView(List<Node> nodes, List<Pod> pods, List<Quota> quotas) {

    public static final UsageView EMPTY = new UsageView(List.of(), List.of(), List.of());

    public UsageView {
        nodes = List.copyOf(nodes);
        pods = List.copyOf(pods);
        quotas = List.copyOf(quotas);
    }

    /**
     * @param registrationProblem why the node's registration could not be decoded (it then has no GPUs here)
     */
    public record Node(String name, List<Gpu> gpus, Optional<String> registrationProblem) {
        public Node {
            Objects.requireNonNull(name, "name");
            gpus = List.copyOf(gpus);
            Objects.requireNonNull(registrationProblem, "registrationProblem");
        }
    }

    /**
     * @param device       the GPU as its device plugin registered it
     * @param usage        slots, MiB and cores the ledger counts on it
     * @param migInstances the MIG instances taken on it (empty unless it is in MIG mode)
     */
    public record Gpu(DeviceInfo device, DeviceUsage usage, List<MigInstance> migInstances) {
        public Gpu {
            Objects.requireNonNull(device, "device");
            Objects.requireNonNull(usage, "usage");
            migInstances = List.copyOf(migInstances);
        }
    }

    /**
     * One taken MIG instance of the GPU's geometry in force.
     *
     * @param profile the template's name, e.g. {@code 1g.10gb}
     * @param slot    its slot in the geometry (the {@code p} of the {@code [t-p]} UUID suffix)
     */
    public record MigInstance(String profile, int slot) {
        public MigInstance {
            Objects.requireNonNull(profile, "profile");
        }
    }

    /** A pod the ledger counts, with its GPUs per container in annotation order. */
    public record Pod(String namespace, String name, String node, PodAllocation allocation) {
        public Pod {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(allocation, "allocation");
        }
    }

    /**
     * @param resource the managed resource, e.g. {@code nvidia.com/gpumem}
     * @param used     MiB or percent of cores the namespace's pods hold
     * @param limit    the namespace's {@code limits.<resource>} (the tightest of its ResourceQuotas), when set
     */
    public record Quota(String namespace, String resource, long used, OptionalLong limit) {
        public Quota {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(resource, "resource");
            Objects.requireNonNull(limit, "limit");
        }
    }
}
