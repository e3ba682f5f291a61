package dev.gpushare.scheduler.extender;

import dev.gpushare.scheduler.leader.Leadership;
import dev.gpushare.scheduler.leader.TermPermit;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The placement annotations that {@code /filter} owes a pod, written off the answer path: kube-scheduler's
 * scheduling cycle (one pod at a time for the whole cluster) does not wait for that API round trip, and
 * {@code /bind} waits for the write to have landed before it takes the node lock, so no reader of the API ever sees
 * a bound pod without its allocation. Writes of one pod land in the order of its filters. A write that fails, or
 * that would be made after the leadership term of its filter ended, calls its rollback and leaves its error for the
 * pod's bind to answer.
 */
public final class PlacementWrites implements AutoCloseable {

    /** What a bind finds about its pod's placement write. */
    public sealed interface Landed {
        /**
         * Written, or nothing was pending (the placement came from another replica or an earlier process);
         * {@code waited} is how long the bind waited for it (zero when nothing was pending).
         */
        record Written(Duration waited) implements Landed {
        }

        record Failed(String error) implements Landed {
        }
    }

    /** What {@code /filter} decided for a pod: the node, the encoded allocation, its seal, and when. */
    public record Placement(String node, String allocation, String seal, Instant filteredAt) {
    }

    /** Writes one placement for a leadership term; the seam of the tests. */
    @FunctionalInterface
    public interface Patcher {
        /** Returns {@code null} when the placement was written, else why it was not. */
        String patch(String namespace, String name, Placement placement, long term);
    }

    /** One pod's latest write: {@code done} completes with {@code null} when written, else with the error. */
    private record Pending(long generation, CompletableFuture<String> done, Instant since) {
    }

    private final Patcher patcher;
    private final Clock clock;
    /** Failed writes nobody asked about are forgotten after this (a pod that is never bound). */
    private final Duration keepFailed;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong generations = new AtomicLong();
    private final Executor writers;

    public PlacementWrites(Patcher patcher, Clock clock, Duration keepFailed) {
        this(patcher, clock, keepFailed, Executors.newFixedThreadPool(4, r -> {
            Thread thread = new Thread(r, "placement-write");
            thread.setDaemon(true);
            return thread;
        }));
    }

    /**
     * Writes on {@code writers} (the calling thread, say, in a test that wants its writes in order); an executor
     * service given here is shut down by {@link #close}.
     */
    PlacementWrites(Patcher patcher, Clock clock, Duration keepFailed, Executor writers) {
        this.patcher = patcher;
        this.clock = clock;
        this.keepFailed = keepFailed;
        this.writers = writers;
    }

    /**
     * Writes {@code placement} to pod {@code namespace/name} (UID {@code uid}) if leadership term {@code term} is still
     * served by then, after any earlier write of the same pod. On failure {@code rollback} gets the error, unless a
     * later filter of the pod superseded this write meanwhile (its own write decides).
     */
    public void write(String uid, String namespace, String name, Placement placement, long term,
                      Consumer<String> rollback) {
        forgetOldFailures();
        long generation = generations.incrementAndGet();
        Pending entry = new Pending(generation, new CompletableFuture<>(), clock.instant());
        Pending previous = pending.put(uid, entry);
        CompletableFuture<?> after = previous == null ? CompletableFuture.completedFuture(null) : previous.done();
        after.whenCompleteAsync((ignored, error) -> {
            String failure;
            try {
                failure = patcher.patch(namespace, name, placement, term);
            } catch (RuntimeException e) {
                failure = "cannot annotate pod " + namespace + "/" + name + " with its placement: " + e;
            }
            if (failure == null) {
                pending.remove(uid, entry);  // landed: nothing for the bind to wait for any more
            } else if (latest(uid, generation)) {
                rollback.accept(failure);
            }
            entry.done().complete(failure);
        }, writers);
    }

    /**
     * Waits up to {@code wait} for the pod's latest placement write. A failure is reported (and forgotten) once; a
     * write still in flight after {@code wait} is reported as failed too, so the bind never goes ahead of it.
     */
    public Landed awaitLanded(String uid, Duration wait) throws InterruptedException {
        Pending latest = pending.get(uid);
        if (latest == null) {
            return new Landed.Written(Duration.ZERO);
        }
        long started = System.nanoTime();
        String error;
        try {
            error = latest.done().get(Math.max(0, wait.toNanos()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return new Landed.Failed("the placement annotations of the pod were not written within "
                    + wait.toMillis() + "ms");
        } catch (ExecutionException e) {
            error = String.valueOf(e.getCause());
        }
        if (error == null) {
            return new Landed.Written(Duration.ofNanos(System.nanoTime() - started));
        }
        pending.remove(uid, latest);
        return new Landed.Failed(error);
    }

    /**
     * The production patcher: {@link PodWrites#writePlacement}, sent only while {@code leadership} still serves the
     * filter's term (a write for an ended term could overwrite the next leader's placement).
     */
    public static Patcher leaderOnly(PodWrites writes, Leadership leadership) {
        return (namespace, name, placement, term) -> {
            try (TermPermit permit = leadership.enter(term)) {
                if (!permit.held()) {
                    return "not the leader: leadership was lost before the placement of pod " + namespace + "/"
                            + name + " was written";
                }
                writes.writePlacement(namespace, name, placement.node(), placement.allocation(), placement.seal(),
                        placement.filteredAt());
                return null;
            } catch (KubernetesClientException e) {
                return e.getCode() == HttpURLConnection.HTTP_NOT_FOUND
                        ? "pod " + namespace + "/" + name + " not found"
                        : "cannot annotate pod " + namespace + "/" + name + " with its placement: " + e.getMessage();
            }
        };
    }

    private boolean latest(String uid, long generation) {
        Pending current = pending.get(uid);
        return current != null && current.generation() == generation;
    }

    private void forgetOldFailures() {
        Instant horizon = clock.instant().minus(keepFailed);
        pending.values().removeIf(p -> p.done().isDone() && p.since().isBefore(horizon));
    }

    @Override
    public void close() {
        if (writers instanceof ExecutorService pool) {
            pool.shutdown();
        }
    }
}
