package dev.gpushare.scheduler.lock;

import dev.gpushare.common.annotation.BindPhase;
import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.common.annotation.MalformedAnnotationException;
import dev.gpushare.common.lock.NodeLockValue;
import dev.gpushare.scheduler.kube.MergePatch;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node lock {@code hami.io/mutex.lock} (spec section 6.2), done as DESIGN.md asks: every write is a
 * compare-and-set on the node's {@code resourceVersion} (a JSON merge patch carrying it, so a concurrent writer
 * gets 409 and we re-read), the owner is checked before a release, a lock older than {@code hami.node-lock.expire}
 * is broken, a lock whose owner pod is gone, finished or bound elsewhere (dangling) or whose value is malformed is
 * healed, a lock whose owner the device plugin has finished ({@code bind-phase} {@code success} or {@code failed})
 * is taken over without waiting for the plugin's release, and the pod that already holds the lock gets it again
 * (re-entrant, with a fresh timestamp).
 *
 * <p>A lock held by another live pod is waited for, first come first served per node, up to the bind's lock wait;
 * the wait is woken by {@link NodeLockQueues#signal} from the informers (no polling): a change of the lock
 * annotation, or the owner pod's {@code bind-phase} turning {@code success} or {@code failed}, or the owner pod
 * finishing or going away, whichever comes first. A wait of zero fails at once
 * as HAMi does.
 */
public final class NodeLockService implements NodeLocks {

    private static final Logger log = LoggerFactory.getLogger(NodeLockService.class);
    /** Serialising the compare-and-set attempts of one node takes a few API round trips at most. */
    private static final Duration TURN_WAIT_WITHOUT_LOCK_WAIT = Duration.ofSeconds(10);
    private static final int RELEASE_ATTEMPTS = 5;
    /** Consecutive compare-and-set conflicts after which taking the lock gives up (the node is being hammered). */
    private static final int ACQUIRE_CONFLICTS = 20;
    static final String NOT_SERVING = "not the leader: leadership ended (lost, or this replica is shutting down)"
            + " while the bind waited for the node lock";

    private final KubernetesClient client;
    private final NodeLockQueues queues;
    private final Duration expire;
    private final Clock clock;
    private final LockMetrics metrics;

    public NodeLockService(KubernetesClient client, NodeLockQueues queues, Duration expire, Clock clock,
                           MeterRegistry meters) {
        this.client = client;
        this.queues = queues;
        this.expire = expire;
        this.clock = clock;
        this.metrics = new LockMetrics(meters);
    }

    /**
     * Takes {@code node}'s lock for pod {@code namespace/name}, waiting up to {@code wait} for another pod's.
     *
     * @param mayWrite asked before every look at the lock and right before the write: false (this replica no
     *                 longer leads, or shuts down) ends the wait at once with a refusal and writes nothing. The
     *                 caller holds its term's permit around this call, so the write happens under it.
     */
    @Override
    public LockResult acquire(String node, String namespace, String name, Duration wait, BooleanSupplier mayWrite)
            throws InterruptedException {
        LockResult result = take(node, namespace, name, wait, mayWrite);
        metrics.record(result);
        return result;
    }

    private LockResult take(String node, String namespace, String name, Duration wait, BooleanSupplier mayWrite)
            throws InterruptedException {
        Instant start = clock.instant();
        Instant deadline = start.plus(wait);
        NodeLockQueues.Queue queue = queues.of(node);
        Duration turnWait = wait.isZero() ? TURN_WAIT_WITHOUT_LOCK_WAIT : wait;
        queue.inside.incrementAndGet();
        try {
            if (!queue.enter(turnWait)) {
                return new LockResult.Refused(LockResult.Cause.TIMED_OUT, "timed out after " + turnWait.toMillis()
                        + "ms waiting behind other binds for the lock of node " + node, waited(start));
            }
            try {
                return acquireInTurn(queue, node, namespace, name, wait, start, deadline, mayWrite);
            } catch (KubernetesClientException e) {
                return new LockResult.Refused(LockResult.Cause.API_ERROR, "cannot take the lock of node " + node
                        + ": " + e.getMessage(), waited(start));
            } finally {
                queue.leave();
            }
        } finally {
            queue.inside.decrementAndGet();
        }
    }

    private LockResult acquireInTurn(NodeLockQueues.Queue queue, String node, String namespace, String name,
                                     Duration wait, Instant start, Instant deadline, BooleanSupplier mayWrite)
            throws InterruptedException {
        int conflicts = 0;
        while (true) {
            long seen = queue.version();
            if (!mayWrite.getAsBoolean()) {
                return new LockResult.Refused(LockResult.Cause.LEADERSHIP_ENDED, NOT_SERVING, waited(start));
            }
            Node current = client.nodes().withName(node).get();
            if (current == null) {
                return new LockResult.Refused(LockResult.Cause.NODE_NOT_FOUND, "node " + node + " not found",
                        waited(start));
            }
            Decision decision = decide(node, current, namespace, name);
            if (decision instanceof Decision.Take take) {
                if (!mayWrite.getAsBoolean()) {
                    return new LockResult.Refused(LockResult.Cause.LEADERSHIP_ENDED, NOT_SERVING, waited(start));
                }
                String value = NodeLockValue.heldBy(clock.instant(), namespace, name).format();
                if (write(current, value)) {
                    if (take.heal() != null) {
                        metrics.healed(take.heal());
                        log.info("node lock taken node={} pod={}/{} after {}", node, namespace, name, take.how());
                    }
                    return new LockResult.Acquired(waited(start), take.how(), value);
                }
                if (++conflicts >= ACQUIRE_CONFLICTS) {
                    return new LockResult.Refused(LockResult.Cause.CONFLICTS, "node " + node + " changed "
                            + conflicts + " times while taking its lock", waited(start));
                }
                continue;  // 409: someone wrote the node meanwhile; look again
            }
            Decision.Held held = (Decision.Held) decision;
            Instant now = clock.instant();
            if (wait.isZero() || !now.isBefore(deadline)) {
                return new LockResult.Refused(wait.isZero() ? LockResult.Cause.HELD : LockResult.Cause.TIMED_OUT,
                        "node " + node + " is locked by " + held.owner() + " since " + held.since()
                                + (wait.isZero() ? "" : "; waited " + wait.toMillis() + "ms"), waited(start));
            }
            Instant wakeAt = held.expiresAt().isBefore(deadline) ? held.expiresAt() : deadline;
            queue.awaitChange(seen, Duration.between(now, wakeAt));
        }
    }

    /**
     * Removes {@code node}'s lock if pod {@code namespace/name} holds it (a lock of another pod, a legacy or a
     * malformed one is left alone). Returns whether this pod's lock is gone afterwards.
     */
    public boolean release(String node, String namespace, String name) {
        try {
            for (int attempt = 1; attempt <= RELEASE_ATTEMPTS; attempt++) {
                Node current = client.nodes().withName(node).get();
                String value = current == null ? null : annotation(current);
                if (value == null || !ownedBy(value, namespace, name)) {
                    return true;
                }
                if (write(current, null)) {
                    queues.signal(node);
                    return true;
                }
            }
            log.warn("node lock release gave up after {} conflicts node={} pod={}/{}", RELEASE_ATTEMPTS, node,
                    namespace, name);
        } catch (KubernetesClientException e) {
            log.warn("node lock release failed node={} pod={}/{} error={}", node, namespace, name, e.getMessage());
        }
        return false;
    }

    /**
     * Removes {@code node}'s lock if its value is still exactly {@code value} (what one {@link #acquire} wrote), so
     * a failing bind never removes a lock that a later call, or the device plugin's hand-over, depends on. Returns
     * whether that value is gone afterwards.
     */
    @Override
    public boolean releaseOwn(String node, String value) {
        try {
            for (int attempt = 1; attempt <= RELEASE_ATTEMPTS; attempt++) {
                Node current = client.nodes().withName(node).get();
                if (current == null || !value.equals(annotation(current))) {
                    return true;
                }
                if (write(current, null)) {
                    queues.signal(node);
                    return true;
                }
            }
            log.warn("node lock release gave up after {} conflicts node={} value={}", RELEASE_ATTEMPTS, node, value);
        } catch (KubernetesClientException e) {
            log.warn("node lock release failed node={} value={} error={}", node, value, e.getMessage());
        }
        return false;
    }

    private sealed interface Decision {
        /** Write our value: the lock is free, ours already, or healed ({@code heal} is null unless healed). */
        record Take(String how, LockHeal heal) implements Decision {
        }

        /** Another live pod holds it. */
        record Held(String owner, Instant since, Instant expiresAt) implements Decision {
        }
    }

    private Decision decide(String node, Node current, String namespace, String name) {
        String value = annotation(current);
        if (value == null) {
            return new Decision.Take("free", null);
        }
        NodeLockValue lock;
        try {
            lock = NodeLockValue.parse(value);
        } catch (MalformedAnnotationException e) {
            return new Decision.Take("healed malformed lock: " + e.getMessage(), LockHeal.MALFORMED);
        }
        if (lock.isHeldBy(namespace, name)) {
            return new Decision.Take("re-entrant", null);
        }
        Instant expiresAt = lock.time().plus(expire);
        if (!clock.instant().isBefore(expiresAt)) {
            return new Decision.Take("healed expired lock " + value, LockHeal.EXPIRED);
        }
        if (lock.owner().isEmpty()) {
            return new Decision.Held("a legacy lock", lock.time(), expiresAt);
        }
        NodeLockValue.Owner owner = lock.owner().get();
        Pod ownerPod = client.pods().inNamespace(owner.namespace()).withName(owner.name()).get();
        Optional<String> dangling = dangling(node, ownerPod);
        if (dangling.isPresent()) {
            return new Decision.Take("healed lock " + value + " (" + dangling.get() + ")", LockHeal.DANGLING);
        }
        String phase = bindPhase(ownerPod);
        if (BindPhase.SUCCESS.value().equals(phase) || BindPhase.FAILED.value().equals(phase)) {
            // The device plugin is done with the owner and releases the lock next (owner-checked, so it leaves
            // ours alone): the lock is free from this moment, not from that release.
            return new Decision.Take("handed over (owner " + owner.namespace() + "/" + owner.name() + " has "
                    + HamiKeys.BIND_PHASE + " " + phase + ")", null);
        }
        return new Decision.Held(owner.namespace() + "/" + owner.name(), lock.time(), expiresAt);
    }

    private static String bindPhase(Pod pod) {
        Map<String, String> annotations = pod.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(HamiKeys.BIND_PHASE);
    }

    /** Why the owner can no longer be served by {@code node}'s device plugin, if it cannot. */
    private static Optional<String> dangling(String node, Pod pod) {
        if (pod == null) {
            return Optional.of("owner pod is gone");
        }
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
            return Optional.of("owner pod " + phase);
        }
        String boundTo = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        if (boundTo != null && !boundTo.isEmpty() && !boundTo.equals(node)) {
            return Optional.of("owner pod is bound to " + boundTo);
        }
        return Optional.empty();
    }

    /** Compare-and-set of the lock annotation ({@code null} removes it); false on a conflict (409). */
    private boolean write(Node current, String value) {
        try {
            MergePatch.metadata().annotation(HamiKeys.NODE_LOCK, value)
                    .ifResourceVersion(current.getMetadata().getResourceVersion())
                    .applyToNode(client, current.getMetadata().getName());
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
                return false;
            }
            throw e;
        }
    }

    private static boolean ownedBy(String value, String namespace, String name) {
        try {
            return NodeLockValue.parse(value).isHeldBy(namespace, name);
        } catch (MalformedAnnotationException e) {
            return false;
        }
    }

    static String annotation(Node node) {
        Map<String, String> annotations = node.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(HamiKeys.NODE_LOCK);
    }

    private Duration waited(Instant start) {
        return Duration.between(start, clock.instant());
    }
}
