package dev.gpushare.ops.state;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The document of {@code state export}: every registered GPU, every allocation, every node lock, the Lease holder
 * and the allocation encoding, plus the HAMi annotations of every pod that holds or asks for GPUs (what
 * {@code state restore} puts back). Lists are sorted, so two exports of the same cluster are byte-identical.
 *
 * @param format             {@value #FORMAT}
 * @param allocationEncoding {@code v2.8} or {@code v2.9}, as configured on the scheduler Deployment
 * @param lease              the leader-election Lease, or {@code null} when there is none
 * @param problems           what could not be decoded (registrations, allocations, locks), one line each
 */
public record StateDocument(String format, String exportedAt, String allocationEncoding, LeaseHolder lease,
                            List<Device> devices, List<Allocation> allocations, List<NodeLock> locks,
                            List<PodState> pods, List<String> problems) {

    public static final String FORMAT = "gpushare-state/v1";

    public StateDocument {
        devices = List.copyOf(devices);
        allocations = List.copyOf(allocations);
        locks = List.copyOf(locks);
        pods = List.copyOf(pods);
        problems = List.copyOf(problems);
    }

    /** One registered GPU ({@code hami.io/node-nvidia-register}); memory in MiB, cores in percent. */
    public record Device(String node, String uuid, int index, String type, int count, int memory, int cores,
                         int numa, String mode, boolean health) {
    }

    /**
     * One GPU held by one container ({@code hami.io/vgpu-devices-allocated}).
     *
     * @param segment   position of the container's segment in the annotation
     * @param container the container that segment stands for under the allocation encoding
     */
    public record Allocation(String namespace, String pod, String uid, String node, int segment, String container,
                             String gpu, String type, int memory, int cores) {
    }

    /**
     * A node lock {@code hami.io/mutex.lock}.
     *
     * @param owner {@code namespace/name}, or {@code null} for a timestamp-only or malformed lock
     * @param since when it was taken (RFC 3339), or {@code null} when malformed
     */
    public record NodeLock(String node, String value, String owner, String since) {
    }

    public record LeaseHolder(String namespace, String name, String holder, String renewTime) {
    }

    /**
     * A pod that holds or asks for GPUs.
     *
     * @param annotations its {@code hami.io/...} scheduler annotations (sorted)
     * @param labels      its {@code hami.io/vgpu-node} label, when set
     */
    public record PodState(String namespace, String name, String uid, String nodeName, String schedulerName,
                           Map<String, String> annotations, Map<String, String> labels) {

        public PodState {
            annotations = Collections.unmodifiableMap(new TreeMap<>(annotations));
            labels = Collections.unmodifiableMap(new TreeMap<>(labels));
        }

        public String key() {
            return namespace + "/" + name;
        }
    }
}
