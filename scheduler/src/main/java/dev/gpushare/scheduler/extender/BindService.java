package dev.gpushare.scheduler.extender;

import dev.gpushare.common.annotation.BindPhase;
import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.common.request.InvalidRequestException;
import dev.gpushare.common.request.PodRequestParser;
import dev.gpushare.scheduler.events.EventRecorder;
import dev.gpushare.scheduler.kube.MergePatch;
import dev.gpushare.scheduler.kube.PodBindings;
import dev.gpushare.scheduler.leader.Leadership;
import dev.gpushare.scheduler.leader.TermPermit;
import dev.gpushare.scheduler.lock.LockResult;
import dev.gpushare.scheduler.lock.NodeLockService;
import dev.gpushare.scheduler.state.ClusterInformers;
import dev.gpushare.scheduler.state.BoundPods;
import dev.gpushare.scheduler.state.ClusterState;
import dev.gpushare.scheduler.state.PodEntry;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /bind} (spec 1.6 and 6.1, with DESIGN.md's node lock): wait for the filter's placement write to have
 * landed, take the node lock (waiting first come first served when another pod holds it), check the placement
 * against the pods bound to the node meanwhile ({@link BoundPods}: another scheduler may have placed on the same
 * GPU), write {@code hami.io/bind-phase: allocating} and {@code hami.io/bind-time}, create the Binding, label the
 * bound pod. Any failure undoes what this bind did: our lock is released and the pod's reservation
 * dropped, so kube-scheduler's retry starts from a clean state. On success the lock stays held until the device
 * plugin releases it.
 */
public final class BindService {

    private static final Logger log = LoggerFactory.getLogger(BindService.class);
    /** Marker of {@link #handOverUnlessBound}: the pod turned out bound here, nothing left to do. */
    private static final String ALREADY_BOUND_HERE = "already bound here";

    private final ClusterState state;
    private final Leadership leadership;
    private final ClusterInformers informers;
    private final NodeLockService locks;
    private final PodBindings bindings;
    private final PlacementWrites placements;
    private final PodRequestParser parser;
    private final KubernetesClient client;
    private final EventRecorder events;
    private final Clock clock;
    private final Duration lockWait;
    private final BoundPods boundPods;
    private final BindTurns turns = new BindTurns();

    public BindService(ClusterState state, Leadership leadership, ClusterInformers informers, NodeLockService locks,
                       PodBindings bindings, PlacementWrites placements, PodRequestParser parser,
                       KubernetesClient client, EventRecorder events, Clock clock, Duration lockWait) {
        this.state = state;
        this.leadership = leadership;
        this.informers = informers;
        this.locks = locks;
        this.bindings = bindings;
        this.placements = placements;
        this.parser = parser;
        this.client = client;
        this.events = events;
        this.clock = clock;
        this.lockWait = lockWait;
        this.boundPods = new BoundPods(client, state);
    }

    /** Binds one pod, within leadership {@code term} (admitted by the {@link VerbGate}). */
    BindOutcome bind(ExtenderJson.BindArgs args, long term) throws InterruptedException {
        String who = args.who();
        Instant started = clock.instant();
        BindTurns.Turn turn = turns.enter(args.podUid(), lockWait);
        if (turn == null) {
            return refuse(who, args.node(), VerbFailure.BIND_IN_PROGRESS, "another bind of pod " + who
                    + " is still running after "
                    + lockWait.toMillis() + "ms");
        }
        try (turn) {
            // One budget for waiting behind the pod's earlier bind and for the node lock: kube-scheduler gives up
            // on the call after its extender timeout.
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
        Pod pod;
        try {
            pod = readPod(args.podNamespace(), args.podName());
        } catch (KubernetesClientException e) {
            return refuse(who, args.node(), VerbFailure.API_ERROR, "cannot read pod " + who + ": " + e.getMessage());
        }
        if (pod == null) {
            return refuse(who, args.node(), VerbFailure.POD_NOT_FOUND, "pod " + who + " not found");
        }
        ObjectMeta meta = pod.getMetadata();
        if (!args.podUid().equals(meta.getUid())) {
            return refuse(who, args.node(), VerbFailure.POD_RECREATED, "pod " + who + " has UID " + meta.getUid()
                    + ", not " + args.podUid() + " (it was recreated)");
        }
        Optional<String> bound = alreadyBound(pod, who, args.node());
        if (bound != null) {
            return bound.map(error -> refuse(who, args.node(), VerbFailure.BOUND_ELSEWHERE, error))
                    .orElseGet(BindOutcome.Bound::new);
        }
        try {
            if (!nodeExists(args.node())) {
                return fail(meta, who, args.node(), VerbFailure.NODE_NOT_FOUND, "node " + args.node() + " not found",
                        true);
            }
        } catch (KubernetesClientException e) {
            return fail(meta, who, args.node(), VerbFailure.API_ERROR, "cannot read node " + args.node() + ": "
                    + e.getMessage(), true);
        }
        boolean needsGpus;
        try {
            needsGpus = parser.parse(pod).requestsAnyGpu();
        } catch (InvalidRequestException e) {
            return fail(meta, who, args.node(), VerbFailure.INVALID_REQUEST, "invalid GPU request: " + e.getMessage(),
                    false);
        }
        long started = System.nanoTime();
        // Every write of this bind, the node lock's included, happens under the term's permit: a shutdown waits
        // for it before it gives the lease away, and wakes the bind if it is still waiting for the lock.
        Duration lockBudget = budget;
        if (needsGpus) {
            // The filter answered before its placement annotations were written: they must exist before the lock
            // hands the pod to the device plugin, and before any reader can see the pod bound.
            // One budget for both waits keeps the bind inside kube-scheduler's extender timeout. (Outside the
            // term's permit: it writes nothing, and a shutdown must not wait for it.)
            PlacementWrites.Landed landed = placements.awaitLanded(meta.getUid(), budget);
            if (landed instanceof PlacementWrites.Landed.Failed failed) {
                return fail(meta, who, args.node(), VerbFailure.ANNOTATE_FAILED, failed.error(), true);
            }
            Duration left = budget.minus(((PlacementWrites.Landed.Written) landed).waited());
            lockBudget = left.isNegative() ? Duration.ZERO : left;
        }
        LockResult.Acquired lock = null;
        String error;
        VerbFailure failure;
        try (TermPermit permit = leadership.enter(term)) {
            if (!permit.held()) {
                return fail(meta, who, args.node(), VerbFailure.LEADERSHIP_LOST,
                        "not the leader: leadership ended before the bind began", true);
            }
            if (needsGpus) {
                Optional<PodEntry> entry = state.holdForBind(meta.getUid());
                if (entry.isEmpty()) {
                    // Placed by a previous leader or another instance: take it over if it still fits.
                    Optional<String> problem = state.adoptPlacement(pod, args.node());
                    if (problem.isPresent()) {
                        return fail(meta, who, args.node(), VerbFailure.NO_RESERVATION, "pod " + who
                                + " has no GPU reservation here and " + problem.get() + "; it must be filtered again",
                                false);
                    }
                    log.info("bind adopted the placement in the annotations of pod={} node={}", who, args.node());
                    entry = state.holdForBind(meta.getUid());
                }
                if (entry.isEmpty() || !entry.get().node().equals(args.node())) {
                    return fail(meta, who, args.node(), VerbFailure.WRONG_NODE, "pod " + who + " was placed on node "
                            + entry.map(PodEntry::node).orElse("none") + " by the filter, not on " + args.node(),
                            true);
                }
                LockResult result = locks.acquire(args.node(), meta.getNamespace(), meta.getName(), lockBudget,
                        () -> leadership.serves(term));
                if (result instanceof LockResult.Refused refused) {
                    return fail(meta, who, args.node(), lockFailure(refused.cause()), refused.reason(), true);
                }
                lock = (LockResult.Acquired) result;
                Optional<String> overfilled;
                VerbFailure why = VerbFailure.NO_LONGER_FITS;
                try {
                    overfilled = boundPods.overfilledBy(args.node(), meta.getUid(), entry.get().allocation());
                } catch (KubernetesClientException e) {
                    overfilled = Optional.of("cannot list the pods bound to node " + args.node() + ": "
                            + e.getMessage());
                    why = VerbFailure.API_ERROR;
                }
                if (overfilled.isPresent()) {
                    String refusal = overfilled.get();
                    if (!locks.releaseOwn(args.node(), lock.value())) {
                        refusal += "; the node lock could not be released and expires on its own";
                    }
                    return fail(meta, who, args.node(), why, refusal, true);
                }
            }
            // A bind may have waited long for the lock: write only if this replica still leads the same term.
            boolean serves = leadership.serves(term);
            failure = serves ? VerbFailure.BINDING_FAILED : VerbFailure.LEADERSHIP_LOST;
            error = serves ? handOverUnlessBound(pod, who, args, lock)
                    : "not the leader: leadership was lost while the bind waited for the node lock";
            if (error != null && !ALREADY_BOUND_HERE.equals(error) && lock != null
                    && !locks.releaseOwn(args.node(), lock.value())) {
                error += "; the node lock could not be released and expires on its own";
            }
        }
        if (ALREADY_BOUND_HERE.equals(error)) {
            return new BindOutcome.Bound();
        }
        if (error != null) {
            return fail(meta, who, args.node(), failure, error, true);
        }
        events.onPod(meta, EventRecorder.Type.Normal, "BindingSucceed",
                "Successfully binding node [" + args.node() + "] to " + who);
        log.info("bind succeeded pod={} node={} lock={} lockWaitedMs={} tookMs={}", who, args.node(),
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
     * is done, and a lock this call took fresh is released again (the device plugin has no use for it); else the
     * hand-over. A Binding refused because the pod got bound here meanwhile counts as done too.
     */
    private String handOverUnlessBound(Pod before, String who, ExtenderJson.BindArgs args, LockResult.Acquired lock)
            throws InterruptedException {
        ObjectMeta meta = before.getMetadata();
        Optional<String> bound = boundNow(meta, who, args.node());
        if (bound == null) {
            String error = handOver(meta, args);
            if (error == null) {
                return null;
            }
            bound = boundNow(meta, who, args.node());
            if (bound == null) {
                return error;
            }
        }
        if (bound.isPresent()) {
            return bound.get();
        }
        if (lock != null && !lock.reentrant()) {
            locks.releaseOwn(args.node(), lock.value());
        }
        return ALREADY_BOUND_HERE;
    }

    private Optional<String> boundNow(ObjectMeta meta, String who, String node) {
        try {
            Pod now = readPod(meta.getNamespace(), meta.getName());
            if (now == null || !meta.getUid().equals(now.getMetadata().getUid())) {
                return Optional.of("pod " + who + " was deleted while it was being bound");
            }
            return alreadyBound(now, who, node);
        } catch (KubernetesClientException e) {
            return null;
        }
    }

    /** What the device plugin needs before kubelet asks it: bind-phase and bind-time, then the Binding. */
    private String handOver(ObjectMeta meta, ExtenderJson.BindArgs args) throws InterruptedException {
        try {
            MergePatch.metadata()
                    .annotation(HamiKeys.BIND_PHASE, BindPhase.ALLOCATING.value())
                    .annotation(HamiKeys.BIND_TIME, Long.toString(clock.instant().getEpochSecond()))
                    .applyToPod(client, meta.getNamespace(), meta.getName());
        } catch (KubernetesClientException e) {
            return "cannot set " + HamiKeys.BIND_PHASE + " on pod: " + e.getMessage();
        }
        try {
            bindings.bind(meta.getNamespace(), meta.getName(), meta.getUid(), args.node());
        } catch (KubernetesClientException e) {
            String error = "binding to node " + args.node() + " failed: " + e.getMessage();
            if (boundNow(meta, args.who(), args.node()) == null) {
                // Not bound: no device plugin will ever finish this hand-over, so the pod must not stay allocating.
                try {
                    MergePatch.metadata().annotation(HamiKeys.BIND_PHASE, null).annotation(HamiKeys.BIND_TIME, null)
                            .applyToPod(client, meta.getNamespace(), meta.getName());
                } catch (KubernetesClientException again) {
                    error += "; " + HamiKeys.BIND_PHASE + " could not be removed: " + again.getMessage();
                }
            }
            return error;
        }
        label(meta, args.node());
        return null;
    }

    /**
     * The {@code hami.io/vgpu-node} label (the vGPU monitor selects pods by it) once the pod is bound: written while
     * the pod waits in kube-scheduler's queue, it would re-queue the pod for another filter. The pod is bound
     * whatever happens here; a failure is reported, not undone.
     */
    private void label(ObjectMeta meta, String node) {
        try {
            MergePatch.metadata().label(HamiKeys.VGPU_NODE, node)
                    .applyToPod(client, meta.getNamespace(), meta.getName());
        } catch (KubernetesClientException e) {
            String error = "cannot set label " + HamiKeys.VGPU_NODE + " on the bound pod: " + e.getMessage();
            events.onPod(meta, EventRecorder.Type.Warning, "BindingLabelFailed", error);
            log.warn("bind label failed pod={}/{} node={}: {}", meta.getNamespace(), meta.getName(), node, error);
        }
    }

    /** The pod as the API has it now (never the informer store, which may not have seen a bind yet). */
    private Pod readPod(String namespace, String name) {
        return client.pods().inNamespace(namespace).withName(name).get();
    }

    private boolean nodeExists(String name) {
        return informers.cachedNode(name).isPresent() || client.nodes().withName(name).get() != null;
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

    private BindOutcome fail(ObjectMeta meta, String who, String node, VerbFailure failure, String error,
                             boolean dropReservation) {
        if (dropReservation) {
            state.unreserve(meta.getUid());
        }
        events.onPod(meta, EventRecorder.Type.Warning, "BindingFailed", error);
        log.warn("bind failed pod={} node={}: {}{}", who, node, error,
                dropReservation ? " (reservation dropped)" : "");
        return new BindOutcome.Failed(failure, error);
    }
}
