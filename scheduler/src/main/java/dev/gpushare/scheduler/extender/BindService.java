package dev.gpushare.scheduler.extender;

import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.common.request.InvalidRequestException;
import dev.gpushare.common.request.PodRequestParser;
import dev.gpushare.scheduler.events.Events;
import dev.gpushare.scheduler.leader.Leadership;
import dev.gpushare.scheduler.leader.TermPermit;
import dev.gpushare.scheduler.lock.LockResult;
import dev.gpushare.scheduler.lock.NodeLocks;
import dev.gpushare.scheduler.state.BoundPods;
import dev.gpushare.scheduler.state.ClusterState;
import dev.gpushare.scheduler.state.PodEntry;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /bind} (spec 1.6 and 6.1, with DESIGN.md's node lock): check the pod, wait for the filter's placement
 * write to have landed ({@link PlacementWrites}), take the node lock (waiting first come first served when another
 * pod holds it), check the placement against the pods bound to the node meanwhile ({@link BoundPods}: another
 * scheduler may have placed on the same GPU), write {@code hami.io/bind-phase: allocating} and
 * {@code hami.io/bind-time}, create the Binding, label the bound pod. Each step that changes something registers its undo in the
 * {@link BindCycle}; any failure rolls the cycle back (our lock released, the pod's reservation dropped), so
 * kube-scheduler's retry starts from a clean state. On success the lock stays held until the device plugin releases
 * it. All I/O goes through {@link ClusterReads}, {@link NodeLocks}, {@link PodWrites} and {@link PodBinder}.
 */
public final class BindService {

    private static final Logger log = LoggerFactory.getLogger(BindService.class);

    /** The verb's collaborators for I/O. */
    public record Io(ClusterReads reads, NodeLocks locks, PodWrites writes, PodBinder binder) {
    }

    private final ClusterState state;
    private final Leadership leadership;
    private final Io io;
    private final PlacementWrites placements;
    private final PodRequestParser parser;
    private final Events events;
    private final Clock clock;
    private final Duration lockWait;
    private final BoundPods boundPods;

    public BindService(ClusterState state, Leadership leadership, Io io, PlacementWrites placements,
                       PodRequestParser parser, Events events, Clock clock, Duration lockWait) {
        this.state = state;
        this.leadership = leadership;
        this.io = io;
        this.placements = placements;
        this.parser = parser;
        this.events = events;
        this.clock = clock;
        this.lockWait = lockWait;
        this.boundPods = new BoundPods(state, node -> io.reads().podsPlacedOn(node));
    }

    /** Binds one pod, within leadership {@code term} (admitted by the {@link VerbGate}). */
    BindOutcome bind(ExtenderJson.BindArgs args, long term) throws InterruptedException {
        String who = args.who();
        String node = args.node();
        Pod pod;
        try {
            pod = io.reads().pod(args.podNamespace(), args.podName());
        } catch (KubernetesClientException e) {
            return refuse(who, node, "cannot read pod " + who + ": " + e.getMessage());
        }
        if (pod == null) {
            return refuse(who, node, "pod " + who + " not found");
        }
        ObjectMeta meta = pod.getMetadata();
        if (!args.podUid().equals(meta.getUid())) {
            return refuse(who, node, "pod " + who + " has UID " + meta.getUid() + ", not " + args.podUid()
                    + " (it was recreated)");
        }
        String boundTo = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        if (node.equals(boundTo)) {
            // A retry of a bind whose answer was lost: it is done.
            log.info("bind succeeded pod={} node={}: already bound", who, node);
            return new BindOutcome.Bound();
        }
        if (boundTo != null && !boundTo.isEmpty()) {
            return refuse(who, node, "pod " + who + " is already bound to node " + boundTo);
        }

        // From here on the pod is ours to bind: its reservation belongs to this cycle.
        BindCycle cycle = new BindCycle();
        cycle.did(() -> state.unreserve(meta.getUid()) ? BindCycle.Undone.did("reservation dropped")
                : BindCycle.Undone.NOTHING);
        try {
            if (!io.reads().nodeExists(node)) {
                return fail(cycle, meta, who, node, "node " + node + " not found");
            }
        } catch (KubernetesClientException e) {
            return fail(cycle, meta, who, node, "cannot read node " + node + ": " + e.getMessage());
        }
        boolean needsGpus;
        try {
            needsGpus = parser.parse(pod).requestsAnyGpu();
        } catch (InvalidRequestException e) {
            return fail(cycle, meta, who, node, "invalid GPU request: " + e.getMessage());
        }
        long started = System.nanoTime();
        LockResult.Acquired lock = null;
        if (needsGpus) {
            // The filter answered before its placement annotations were written: they must exist before the lock
            // hands the pod to the device plugin, and before any reader can see the pod bound. One budget for both
            // waits keeps the bind inside kube-scheduler's extender timeout.
            PlacementWrites.Landed landed = placements.awaitLanded(meta.getUid(), lockWait);
            if (landed instanceof PlacementWrites.Landed.Failed failed) {
                return fail(cycle, meta, who, node, failed.error());
            }
            Duration lockBudget = lockWait.minus(((PlacementWrites.Landed.Written) landed).waited());
            Optional<PodEntry> entry = state.holdForBind(meta.getUid());
            if (entry.isEmpty()) {
                return fail(cycle, meta, who, node, "pod " + who + " has no GPU reservation (not filtered by this"
                        + " scheduler, or its reservation expired); it must be filtered again");
            }
            if (!entry.get().node().equals(node)) {
                return fail(cycle, meta, who, node, "pod " + who + " was placed on node " + entry.get().node()
                        + " by the filter, not on " + node);
            }
            LockResult result = io.locks().acquire(node, meta.getNamespace(), meta.getName(),
                    lockBudget.isNegative() ? Duration.ZERO : lockBudget);
            if (result instanceof LockResult.Refused refused) {
                return fail(cycle, meta, who, node, refused.reason());
            }
            lock = (LockResult.Acquired) result;
            cycle.did(() -> io.locks().release(node, meta.getNamespace(), meta.getName()) ? BindCycle.Undone.NOTHING
                    : BindCycle.Undone.failed("the node lock could not be released and expires on its own"));
            // Under the lock: another scheduler may have bound a pod onto the same GPU slice meanwhile.
            Optional<String> overfilled;
            try {
                overfilled = boundPods.overfilledBy(node, meta.getUid(), entry.get().allocation());
            } catch (KubernetesClientException e) {
                overfilled = Optional.of("cannot list the pods bound to node " + node + ": " + e.getMessage());
            }
            if (overfilled.isPresent()) {
                return fail(cycle, meta, who, node, overfilled.get());
            }
        }
        String error;
        try (TermPermit permit = leadership.enter(term)) {
            // A bind may have waited long for the lock: write only if this replica still leads the same term.
            error = permit.held() ? handOver(meta, node)
                    : "not the leader: leadership was lost while the bind waited for the node lock";
        }
        if (error != null) {
            return fail(cycle, meta, who, node, error);
        }
        events.onPod(meta, Events.Type.Normal, "BindingSucceed",
                "Successfully binding node [" + node + "] to " + who);
        log.info("bind succeeded pod={} node={} lock={} lockWaitedMs={} tookMs={}", who, node,
                lock == null ? "none" : lock.how(), lock == null ? 0 : lock.waited().toMillis(),
                (System.nanoTime() - started) / 1_000_000);
        return new BindOutcome.Bound();
    }

    /** What the device plugin needs before kubelet asks it: bind-phase and bind-time, then the Binding. */
    private String handOver(ObjectMeta meta, String node) throws InterruptedException {
        try {
            io.writes().markAllocating(meta.getNamespace(), meta.getName(), clock.instant());
        } catch (KubernetesClientException e) {
            return "cannot set " + HamiKeys.BIND_PHASE + " on pod: " + e.getMessage();
        }
        try {
            io.binder().bind(meta.getNamespace(), meta.getName(), meta.getUid(), node);
        } catch (KubernetesClientException e) {
            return "binding to node " + node + " failed: " + e.getMessage();
        }
        label(meta, node);
        return null;
    }

    /**
     * The {@code hami.io/vgpu-node} label once the pod is bound: written while the pod waits in kube-scheduler's
     * queue, it would re-queue the pod for another filter. The pod is bound whatever happens here; a failure is
     * reported, not undone.
     */
    private void label(ObjectMeta meta, String node) {
        try {
            io.writes().labelBound(meta.getNamespace(), meta.getName(), node);
        } catch (KubernetesClientException e) {
            String error = "cannot set label " + HamiKeys.VGPU_NODE + " on the bound pod: " + e.getMessage();
            events.onPod(meta, Events.Type.Warning, "BindingLabelFailed", error);
            log.warn("bind label failed pod={}/{} node={}: {}", meta.getNamespace(), meta.getName(), node, error);
        }
    }

    /** A request about a pod we must not touch (unknown, recreated, bound elsewhere): nothing to undo, no event. */
    private BindOutcome refuse(String who, String node, String error) {
        log.warn("bind failed pod={} node={}: {}", who, node, error);
        return new BindOutcome.Failed(error);
    }

    /** Rolls the cycle back, tells the pod's events and the log, answers the error. */
    private BindOutcome fail(BindCycle cycle, ObjectMeta meta, String who, String node, String error) {
        BindCycle.Rollback rollback = cycle.rollBack();
        String answer = error + rollback.problems().stream().map(p -> "; " + p).reduce("", String::concat);
        events.onPod(meta, Events.Type.Warning, "BindingFailed", answer);
        log.warn("bind failed pod={} node={}: {}{}", who, node, answer,
                rollback.notes().isEmpty() ? "" : " (" + String.join(", ", rollback.notes()) + ")");
        return new BindOutcome.Failed(answer);
    }
}
