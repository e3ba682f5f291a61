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
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /bind} (spec 1.6 and 6.1, with DESIGN.md's node lock): one bind of a pod at a time
 * ({@link BindTurns}); check the pod as the API has it, wait for the filter's placement write to have landed
 * ({@link PlacementWrites}), take the node lock (waiting first come first served when another pod holds it), check
 * the placement against the pods bound to the node meanwhile ({@link BoundPods}: another scheduler may have placed on
 * the same GPU), read the pod again (a duplicate may have bound it meanwhile), write {@code hami.io/bind-phase:
 * allocating} and {@code hami.io/bind-time}, create the Binding, label the bound pod. Each step that changes
 * something registers its undo in the {@link BindCycle}; any failure rolls the cycle back (only the lock value this
 * call wrote is released, the pod's reservation dropped), so kube-scheduler's retry starts from a clean state. On
 * success the lock stays held until the device plugin releases it. All I/O goes through {@link ClusterReads},
 * {@link NodeLocks}, {@link PodWrites} and {@link PodBinder}.
 */
public final class BindService {

    private static final Logger log = LoggerFactory.getLogger(BindService.class);

    /** The verb's collaborators for I/O. */
    public record Io(ClusterReads reads, NodeLocks locks, PodWrites writes, PodBinder binder,
                     PlacementWrites placements) {
    }

    /** What the hand-over found: the pod is bound here (done), or an error, or neither (handed over now). */
    private record HandOver(boolean alreadyBound, VerbFailure failure, String error) {
        static final HandOver DONE = new HandOver(false, null, null);
        static final HandOver BOUND_HERE = new HandOver(true, null, null);

        static HandOver failed(VerbFailure failure, String error) {
            return new HandOver(false, failure, error);
        }
    }

    private final ClusterState state;
    private final Leadership leadership;
    private final Io io;
    private final PodRequestParser parser;
    private final Events events;
    private final Clock clock;
    private final Duration lockWait;
    private final BoundPods boundPods;
    private final BindTurns turns = new BindTurns();

    public BindService(ClusterState state, Leadership leadership, Io io, PodRequestParser parser, Events events,
                       Clock clock, Duration lockWait) {
        this.state = state;
        this.leadership = leadership;
        this.io = io;
        this.parser = parser;
        this.events = events;
        this.clock = clock;
        this.lockWait = lockWait;
        this.boundPods = new BoundPods(state, node -> io.reads().podsBoundTo(node));
    }

    /** Binds one pod, within leadership {@code term} (admitted by the {@link VerbGate}). */
    BindOutcome bind(ExtenderJson.BindArgs args, long term) throws InterruptedException {
        String who = args.who();
        Instant started = clock.instant();
        BindTurns.Turn turn = turns.enter(args.podUid(), lockWait);
        if (turn == null) {
            return refuse(who, args.node(), VerbFailure.BIND_IN_PROGRESS, "another bind of pod " + who
                    + " is still running after " + lockWait.toMillis() + "ms");
        }
        try (turn) {
            // One budget for waiting behind the pod's earlier bind, for the placement write and for the node lock:
            // kube-scheduler gives up on the call after its extender timeout.
            Duration left = lockWait.minus(Duration.between(started, clock.instant()));
            return bindInTurn(args, who, term, left.isNegative() ? Duration.ZERO : left);
        }
    }

    /**
     * One bind of the pod at a time. The pod is read from the API (a cache may be behind a bind that just
     * succeeded) before the lock and again once it is held, so a duplicated or retried bind of a pod already bound
     * here succeeds without touching the lock the device plugin still needs.
     */
    private BindOutcome bindInTurn(ExtenderJson.BindArgs args, String who, long term, Duration budget)
            throws InterruptedException {
        String node = args.node();
        Pod pod;
        try {
            pod = io.reads().pod(args.podNamespace(), args.podName());
        } catch (KubernetesClientException e) {
            return refuse(who, node, VerbFailure.API_ERROR, "cannot read pod " + who + ": " + e.getMessage());
        }
        if (pod == null) {
            return refuse(who, node, VerbFailure.POD_NOT_FOUND, "pod " + who + " not found");
        }
        ObjectMeta meta = pod.getMetadata();
        if (!args.podUid().equals(meta.getUid())) {
            return refuse(who, node, VerbFailure.POD_RECREATED, "pod " + who + " has UID " + meta.getUid()
                    + ", not " + args.podUid() + " (it was recreated)");
        }
        Optional<String> bound = alreadyBound(pod, who, node);
        if (bound != null) {
            return bound.map(error -> refuse(who, node, VerbFailure.BOUND_ELSEWHERE, error))
                    .orElseGet(BindOutcome.Bound::new);
        }

        // From here on the pod is ours to bind: its reservation belongs to this cycle.
        BindCycle cycle = new BindCycle();
        cycle.did(() -> state.unreserve(meta.getUid()) ? BindCycle.Undone.did("reservation dropped")
                : BindCycle.Undone.NOTHING);
        try {
            if (!io.reads().nodeExists(node)) {
                return fail(cycle, meta, who, node, VerbFailure.NODE_NOT_FOUND, "node " + node + " not found");
            }
        } catch (KubernetesClientException e) {
            return fail(cycle, meta, who, node, VerbFailure.API_ERROR, "cannot read node " + node + ": "
                    + e.getMessage());
        }
        boolean needsGpus;
        try {
            needsGpus = parser.parse(pod).requestsAnyGpu();
        } catch (InvalidRequestException e) {
            return fail(cycle, meta, who, node, VerbFailure.INVALID_REQUEST, "invalid GPU request: "
                    + e.getMessage());
        }
        long started = System.nanoTime();
        Duration lockBudget = budget;
        if (needsGpus) {
            // The filter answered before its placement annotations were written: they must exist before the lock
            // hands the pod to the device plugin, and before any reader can see the pod bound. (Outside the term's
            // permit: it writes nothing, and a shutdown must not wait for it.)
            PlacementWrites.Landed landed = io.placements().awaitLanded(meta.getUid(), budget);
            if (landed instanceof PlacementWrites.Landed.Failed failed) {
                return fail(cycle, meta, who, node, VerbFailure.ANNOTATE_FAILED, failed.error());
            }
            Duration left = budget.minus(((PlacementWrites.Landed.Written) landed).waited());
            lockBudget = left.isNegative() ? Duration.ZERO : left;
        }
        LockResult.Acquired lock = null;
        HandOver handOver;
        // Every write of this bind, the node lock's included, happens under the term's permit: a shutdown waits
        // for it before it gives the lease away, and wakes the bind if it is still waiting for the lock.
        try (TermPermit permit = leadership.enter(term)) {
            if (!permit.held()) {
                return fail(cycle, meta, who, node, VerbFailure.LEADERSHIP_LOST,
                        "not the leader: leadership ended before the bind began");
            }
            if (needsGpus) {
                Optional<PodEntry> entry = state.holdForBind(meta.getUid());
                if (entry.isEmpty()) {
                    // Placed by a previous leader or another instance: take it over if it still fits.
                    Optional<String> problem = state.adoptPlacement(pod, node);
                    if (problem.isPresent()) {
                        return fail(cycle, meta, who, node, VerbFailure.NO_RESERVATION, "pod " + who
                                + " has no GPU reservation here and " + problem.get()
                                + "; it must be filtered again");
                    }
                    log.info("bind adopted the placement in the annotations of pod={} node={}", who, node);
                    entry = state.holdForBind(meta.getUid());
                }
                if (entry.isEmpty() || !entry.get().node().equals(node)) {
                    return fail(cycle, meta, who, node, VerbFailure.WRONG_NODE, "pod " + who
                            + " was placed on node " + entry.map(PodEntry::node).orElse("none")
                            + " by the filter, not on " + node);
                }
                LockResult result = io.locks().acquire(node, meta.getNamespace(), meta.getName(), lockBudget,
                        () -> leadership.serves(term));
                if (result instanceof LockResult.Refused refused) {
                    return fail(cycle, meta, who, node, lockFailure(refused.cause()), refused.reason());
                }
                LockResult.Acquired acquired = (LockResult.Acquired) result;
                lock = acquired;
                cycle.did(() -> io.locks().releaseOwn(node, acquired.value()) ? BindCycle.Undone.NOTHING
                        : BindCycle.Undone.failed("the node lock could not be released and expires on its own"));
                // Under the lock: another scheduler may have bound a pod onto the same GPU slice meanwhile.
                Optional<String> overfilled;
                VerbFailure why = VerbFailure.NO_LONGER_FITS;
                try {
                    overfilled = boundPods.overfilledBy(node, meta.getUid(), entry.get().allocation());
                } catch (KubernetesClientException e) {
                    overfilled = Optional.of("cannot list the pods bound to node " + node + ": " + e.getMessage());
                    why = VerbFailure.API_ERROR;
                }
                if (overfilled.isPresent()) {
                    return fail(cycle, meta, who, node, why, overfilled.get());
                }
            }
            // A bind may have waited long for the lock: write only if this replica still leads the same term.
            handOver = leadership.serves(term) ? handOverUnlessBound(meta, who, node)
                    : HandOver.failed(VerbFailure.LEADERSHIP_LOST,
                            "not the leader: leadership was lost while the bind waited for the node lock");
            // Undone under the permit: releasing the lock is a write of this term like the others.
            if (handOver.error() != null) {
                return fail(cycle, meta, who, node, handOver.failure(), handOver.error());
            }
            if (handOver.alreadyBound()) {
                // A duplicate's first call finished meanwhile; a lock this call took fresh is of no use to anyone.
                if (lock != null && !lock.reentrant()) {
                    io.locks().releaseOwn(node, lock.value());
                }
                return new BindOutcome.Bound();
            }
        }
        label(meta, node);
        events.onPod(meta, Events.Type.Normal, "BindingSucceed",
                "Successfully binding node [" + node + "] to " + who);
        log.info("bind succeeded pod={} node={} lock={} lockWaitedMs={} tookMs={}", who, node,
                lock == null ? "none" : lock.how(), lock == null ? 0 : lock.waited().toMillis(),
                (System.nanoTime() - started) / 1_000_000);
        return new BindOutcome.Bound();
    }

    /**
     * {@code null} when the pod is not bound yet; empty when it is bound to {@code node} already (a retry of a bind
     * whose answer was lost: it is done); an error when it is bound elsewhere.
     */
    private static Optional<String> alreadyBound(Pod pod, String who, String node) {
        String boundTo = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        if (boundTo == null || boundTo.isEmpty()) {
            return null;
        }
        if (boundTo.equals(node)) {
            log.info("bind succeeded pod={} node={}: already bound", who, node);
            return Optional.empty();
        }
        return Optional.of("pod " + who + " is already bound to node " + boundTo);
    }

    /**
     * Reads the pod again now that the lock is held: bound here meanwhile (a duplicate's first call finished), it
     * is done; else the hand-over. A Binding refused because the pod got bound here meanwhile counts as done too.
     */
    private HandOver handOverUnlessBound(ObjectMeta meta, String who, String node) throws InterruptedException {
        Optional<String> bound = boundNow(meta, who, node);
        if (bound == null) {
            String error = handOver(meta, who, node);
            if (error == null) {
                return HandOver.DONE;
            }
            bound = boundNow(meta, who, node);
            if (bound == null) {
                return HandOver.failed(VerbFailure.BINDING_FAILED, error);
            }
        }
        return bound.map(error -> HandOver.failed(VerbFailure.BINDING_FAILED, error)).orElse(HandOver.BOUND_HERE);
    }

    private Optional<String> boundNow(ObjectMeta meta, String who, String node) {
        try {
            Pod now = io.reads().pod(meta.getNamespace(), meta.getName());
            if (now == null || !meta.getUid().equals(now.getMetadata().getUid())) {
                return Optional.of("pod " + who + " was deleted while it was being bound");
            }
            return alreadyBound(now, who, node);
        } catch (KubernetesClientException e) {
            return null;
        }
    }

    /** What the device plugin needs before kubelet asks it: bind-phase and bind-time, then the Binding. */
    private String handOver(ObjectMeta meta, String who, String node) throws InterruptedException {
        try {
            io.writes().markAllocating(meta.getNamespace(), meta.getName(), clock.instant());
        } catch (KubernetesClientException e) {
            return "cannot set " + HamiKeys.BIND_PHASE + " on pod: " + e.getMessage();
        }
        try {
            io.binder().bind(meta.getNamespace(), meta.getName(), meta.getUid(), node);
        } catch (KubernetesClientException e) {
            String error = "binding to node " + node + " failed: " + e.getMessage();
            if (boundNow(meta, who, node) == null) {
                // Not bound: no device plugin will ever finish this hand-over, so the pod must not stay allocating.
                try {
                    io.writes().clearBindPhase(meta.getNamespace(), meta.getName());
                } catch (KubernetesClientException again) {
                    error += "; " + HamiKeys.BIND_PHASE + " could not be removed: " + again.getMessage();
                }
            }
            return error;
        }
        return null;
    }

    /**
     * The {@code hami.io/vgpu-node} label (the vGPU monitor selects pods by it) once the pod is bound: written while
     * the pod waits in kube-scheduler's queue, it would re-queue the pod for another filter. The pod is bound
     * whatever happens here; a failure is reported, not undone.
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
    private BindOutcome refuse(String who, String node, VerbFailure failure, String error) {
        log.warn("bind failed pod={} node={}: {}", who, node, error);
        return new BindOutcome.Failed(failure, error);
    }

    private static VerbFailure lockFailure(LockResult.Cause cause) {
        return switch (cause) {
            case TIMED_OUT -> VerbFailure.LOCK_TIMED_OUT;
            case HELD -> VerbFailure.LOCK_HELD;
            case NODE_NOT_FOUND -> VerbFailure.NODE_NOT_FOUND;
            case CONFLICTS, API_ERROR -> VerbFailure.LOCK_FAILED;
            case LEADERSHIP_ENDED -> VerbFailure.LEADERSHIP_LOST;
        };
    }

    /** Rolls the cycle back, tells the pod's events and the log, answers the error. */
    private BindOutcome fail(BindCycle cycle, ObjectMeta meta, String who, String node, VerbFailure failure,
                             String error) {
        BindCycle.Rollback rollback = cycle.rollBack();
        String answer = error + rollback.problems().stream().map(p -> "; " + p).reduce("", String::concat);
        events.onPod(meta, Events.Type.Warning, "BindingFailed", answer);
        log.warn("bind failed pod={} node={}: {}{}", who, node, answer,
                rollback.notes().isEmpty() ? "" : " (" + String.join(", ", rollback.notes()) + ")");
        return new BindOutcome.Failed(failure, answer);
    }
}
