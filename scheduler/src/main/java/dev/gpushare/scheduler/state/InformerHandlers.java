package dev.gpushare.scheduler.state;

import dev.gpushare.common.annotation.BindPhase;
import dev.gpushare.common.annotation.Excerpt;
import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.common.seal.PlacementTrust;
import dev.gpushare.scheduler.events.Events;
import dev.gpushare.scheduler.lock.NodeLockQueues;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the informers do with each event: apply it to the {@link ClusterState}, wake binds waiting for a node lock
 * when the lock (or its owner pod) changes, and report an undecodable registration once per value and an untrusted
 * placement once per pod and reason (a Warning event, a log line, {@code gpushare_ledger_ignored_allocations_total}).
 * The handlers never throw (fabric8 would stop delivering events to a handler that did).
 */
public final class InformerHandlers {

    private static final Logger log = LoggerFactory.getLogger(InformerHandlers.class);

    private final ClusterState state;
    private final NodeLockQueues lockQueues;
    private final Events events;
    private final InformerLag lag;
    /** Per node, the undecodable registration value already reported, so each bad value is reported once. */
    private final Map<String, String> reportedInvalid = new ConcurrentHashMap<>();
    /** Per pod UID, the malformed allocation already logged. */
    private final Map<String, String> reportedMalformed = new ConcurrentHashMap<>();
    /** Per pod UID, why its placement was last reported as not counted. */
    private final Map<String, PlacementTrust.Reason> reportedIgnored = new ConcurrentHashMap<>();
    private final Map<PlacementTrust.Reason, Counter> ignored = new EnumMap<>(PlacementTrust.Reason.class);

    /**
     * @param lag    told of every pod the informer delivers, to time our own writes
     * @param meters where {@code gpushare_ledger_ignored_allocations_total} is registered
     */
    public InformerHandlers(ClusterState state, NodeLockQueues lockQueues, Events events, InformerLag lag,
                            MeterRegistry meters) {
        this.state = state;
        this.lag = lag;
        this.lockQueues = lockQueues;
        this.events = events;
        for (PlacementTrust.Reason reason : PlacementTrust.Reason.values()) {
            ignored.put(reason, Counter.builder("gpushare_ledger_ignored_allocations").tag("reason", reason.label())
                    .description("Pods whose GPU allocation annotations the ledger does not count (no placement"
                            + " seal, or one that does not verify), each pod once per reason")
                    .register(meters));
        }
    }

    public ResourceEventHandler<Node> nodes() {
        return handler(this::onNode, (old, node) -> {
            onNode(node);
            if (!Objects.equals(lockOf(old), lockOf(node))) {
                lockQueues.signal(node.getMetadata().getName());
            }
        }, node -> {
            state.removeNode(node.getMetadata().getName());
            reportedInvalid.remove(node.getMetadata().getName());
            lockQueues.forget(node.getMetadata().getName());
        });
    }

    public ResourceEventHandler<Pod> pods() {
        return handler(this::onPod, (old, pod) -> {
            onPod(pod);
            if (allocationDone(pod) && !allocationDone(old)) {
                // The device plugin is done with this pod: a bind waiting for its lock may take it now.
                signalNodesOf(pod);
            }
        }, pod -> {
            state.removePod(pod);
            reportedMalformed.remove(pod.getMetadata().getUid());
            reportedIgnored.remove(pod.getMetadata().getUid());
            signalNodesOf(pod);
        });
    }

    public ResourceEventHandler<ResourceQuota> quotas() {
        return handler(state::applyQuota, (old, quota) -> state.applyQuota(quota), state::removeQuota);
    }

    private void onNode(Node node) {
        NodeGpus gpus = state.applyNode(node);
        String name = node.getMetadata().getName();
        if (gpus instanceof NodeGpus.Invalid invalid) {
            if (!invalid.value().equals(reportedInvalid.put(name, invalid.value()))) {
                log.warn("node registration invalid node={} problem={}", name, invalid.problem());
                events.onNode(node.getMetadata(), Events.Type.Warning, "NodeRegistrationInvalid",
                        "GPU registration cannot be decoded, the node takes no GPU pods: " + invalid.problem());
            }
        } else {
            reportedInvalid.remove(name);
        }
    }

    private void onPod(Pod pod) {
        lag.seen(pod);
        PodGpus gpus = state.applyPod(pod);
        String uid = pod.getMetadata().getUid();
        if (gpus instanceof PodGpus.Malformed malformed) {
            if (!malformed.problem().equals(reportedMalformed.put(uid, malformed.problem()))) {
                log.warn("pod allocation annotation malformed pod={}/{} problem={} (its GPUs are not counted)",
                        pod.getMetadata().getNamespace(), pod.getMetadata().getName(), malformed.problem());
            }
        } else if (gpus instanceof PodGpus.Untrusted untrusted) {
            if (reportedIgnored.put(uid, untrusted.reason()) != untrusted.reason()) {
                ignored.get(untrusted.reason()).increment();
                log.warn("pod allocation not counted pod={}/{} node={} reason={}: {}",
                        pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
                        Excerpt.plain(untrusted.claimed().node()), untrusted.reason().label(), untrusted.message());
                events.onPod(pod.getMetadata(), Events.Type.Warning, "AllocationIgnored", untrusted.message());
            }
        } else if (gpus instanceof PodGpus.Finished) {
            signalNodesOf(pod);
        }
    }

    /**
     * A finished, deleted or allocated pod may have been the owner of a node lock: its node's waiting bind looks
     * again.
     */
    private void signalNodesOf(Pod pod) {
        String bound = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        if (bound != null && !bound.isEmpty()) {
            lockQueues.signal(bound);
        }
        Map<String, String> annotations = pod.getMetadata().getAnnotations();
        String placed = annotations == null ? null : annotations.get(HamiKeys.VGPU_NODE);
        if (placed != null && !placed.equals(bound)) {
            lockQueues.signal(placed);
        }
    }

    private static boolean allocationDone(Pod pod) {
        Map<String, String> annotations = pod.getMetadata().getAnnotations();
        String phase = annotations == null ? null : annotations.get(HamiKeys.BIND_PHASE);
        return BindPhase.SUCCESS.value().equals(phase) || BindPhase.FAILED.value().equals(phase);
    }

    private static String lockOf(Node node) {
        Map<String, String> annotations = node == null ? null : node.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(HamiKeys.NODE_LOCK);
    }

    private static <T extends HasMetadata> ResourceEventHandler<T> handler(Consumer<T> add, Update<T> update,
                                                                          Consumer<T> delete) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T object) {
                guarded(() -> add.accept(object), object);
            }

            @Override
            public void onUpdate(T oldObject, T newObject) {
                guarded(() -> update.accept(oldObject, newObject), newObject);
            }

            @Override
            public void onDelete(T object, boolean deletedFinalStateUnknown) {
                guarded(() -> delete.accept(object), object);
            }
        };
    }

    /** An informer handler must never throw: fabric8 would stop delivering events to it. */
    private static void guarded(Runnable action, HasMetadata object) {
        try {
            action.run();
        } catch (RuntimeException e) {
            log.error("informer event failed for {} {}/{}", object.getKind(), object.getMetadata().getNamespace(),
                    object.getMetadata().getName(), e);
        }
    }

    @FunctionalInterface
    private interface Update<T> {
        void accept(T oldObject, T newObject);
    }
}
