package dev.gpushare.scheduler.state;

import dev.gpushare.common.annotation.AllocationCodec;
import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.common.annotation.MalformedAnnotationException;
import dev.gpushare.common.device.PodAllocation;
import dev.gpushare.common.seal.PlacementTrust;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * What a pod's annotations say about the GPUs it holds (spec 5.3): pods without {@code hami.io/vgpu-node} or
 * {@code hami.io/vgpu-devices-allocated} hold none; pods in phase {@code Succeeded} or {@code Failed} hold none any
 * more; terminating pods still hold theirs. The node is the annotation's, as HAMi counts it. A placement counts only
 * when {@link PlacementTrust} trusts it (its seal verifies, or the migration setting covers an unsealed one); any
 * other is {@link Untrusted}.
 */
sealed interface PodGpus {

    /** Nothing to count. */
    record None() implements PodGpus {
    }

    /** The pod ran to completion ({@code Succeeded} or {@code Failed}): whatever it held is free. */
    record Finished() implements PodGpus {
    }

    /** The allocation annotation cannot be decoded: counted nowhere, reported once. */
    record Malformed(String problem) implements PodGpus {
    }

    /**
     * @param bound      whether the pod is bound to a node ({@code spec.nodeName} set)
     * @param filteredAt {@code hami.io/vgpu-time}, or {@link Instant#EPOCH} when absent or unreadable
     */
    record Held(String node, PodAllocation allocation, boolean bound, Instant filteredAt) implements PodGpus {
    }

    /**
     * A decodable placement that is not trusted (no seal, or a seal that does not verify): counted only as far as
     * the ledger already holds the pod's placement, reported once.
     *
     * @param claimed what the annotations claim
     */
    record Untrusted(Held claimed, PlacementTrust.Reason reason, String message) implements PodGpus {
    }

    static PodGpus of(Pod pod, PlacementTrust trust) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
            return new Finished();
        }
        Map<String, String> annotations = pod.getMetadata().getAnnotations();
        if (annotations == null) {
            return new None();
        }
        String node = annotations.get(HamiKeys.VGPU_NODE);
        String allocated = annotations.get(HamiKeys.DEVICES_ALLOCATED);
        if (node == null || node.isEmpty() || allocated == null) {
            return new None();
        }
        PodAllocation allocation;
        try {
            allocation = AllocationCodec.decode(allocated);
        } catch (MalformedAnnotationException e) {
            return new Malformed(e.getMessage());
        }
        if (allocation.isEmpty()) {
            return new None();
        }
        String boundTo = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        Held held = new Held(node, allocation, boundTo != null && !boundTo.isEmpty(),
                unixSeconds(annotations.get(HamiKeys.VGPU_TIME)));
        return trust.judge(pod.getMetadata().getUid(), createdAt(pod.getMetadata().getCreationTimestamp()),
                annotations) instanceof PlacementTrust.Verdict.Ignored ignored
                ? new Untrusted(held, ignored.reason(), ignored.message()) : held;
    }

    /** The API server's {@code creationTimestamp}; {@code null} when absent or unreadable. */
    private static Instant createdAt(String value) {
        if (value == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static Instant unixSeconds(String value) {
        if (value == null) {
            return Instant.EPOCH;
        }
        try {
            return Instant.ofEpochSecond(Long.parseLong(value.trim()));
        } catch (NumberFormatException | java.time.DateTimeException e) {
            return Instant.EPOCH;
        }
    }
}
