package dev.gpushare.bench.load;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What kube-scheduler (v1.19) does with pods of one scheduler name when an extender filters and binds them: one
 * scheduling loop takes pod after pod from the {@link SchedulingQueue} and asks the extender's filter (the whole
 * cluster waits for that answer), assumes the pod on the chosen node and hands the bind to its own thread (binds run
 * in parallel); a pod that did not fit or whose bind failed is retried after its backoff.
 *
 * <p>The pod informer's events must be fed in ({@link #onAdd}, {@link #onUpdate}, {@link #onDelete}); they follow
 * kube-scheduler's rules, which decide how often the extender is asked: a bound pod leaves the queue; an update of an
 * assumed pod that changes nothing but {@code resourceVersion}, {@code spec.nodeName} or annotations is skipped, while
 * any other update (a label, say) puts the pod back into the active queue; and a popped pod that is assumed and
 * equal to its assumed copy apart from those fields is not scheduled again. These rules are what the burst
 * measures (they decide how many filter calls a burst costs), so they are modelled here in full; the playground's
 * scheduling driver models the rest of kube-scheduler's queue (unschedulable pods, cluster events).
 */
final class ExtenderSchedulingLoop implements AutoCloseable {

    /** The extender's verbs as kube-scheduler calls them. */
    interface Extender {
        FilterAnswer filter(Pod pod) throws Exception;

        /** {@code null} or empty when bound, else the error. */
        String bind(Pod pod, String node) throws Exception;
    }

    /** The filter's answer: exactly one node, or why not. */
    sealed interface FilterAnswer {
        record Fits(String node) implements FilterAnswer {
        }

        record Unfit(String message) implements FilterAnswer {
        }
    }

    /** What the loop did, for the caller's events, conditions and measurements. Called on the loop's threads. */
    interface Observer {
        default void filtered(Pod pod, FilterAnswer answer, long tookNanos) {
        }

        default void bound(Pod pod, String node) {
        }

        /**
         * {@code stage} is {@code filter}, {@code assume} (filtered again while its first bind runs) or {@code bind};
         * the pod goes back to the queue with its backoff.
         */
        default void failed(Pod pod, String stage, String message) {
        }
    }

    private static final Logger log = LoggerFactory.getLogger(ExtenderSchedulingLoop.class);

    private final String schedulerName;
    private final SchedulingQueue queue;
    private final Extender extender;
    private final Observer observer;
    /** Pods the loop placed and whose bind is running or done but not yet seen bound, by UID: kube-scheduler's assumed pods. */
    private final Map<String, Pod> assumed = new ConcurrentHashMap<>();
    private final ExecutorService binders = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "extender-bind");
        thread.setDaemon(true);
        return thread;
    });
    /** UIDs of pods seen bound: a failed attempt of such a pod is not retried (kube-scheduler re-reads the pod). */
    private final Set<String> bound = ConcurrentHashMap.newKeySet();
    private final AtomicLong filterCalls = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final Thread loop;
    private volatile boolean running = true;

    public ExtenderSchedulingLoop(String schedulerName, SchedulingQueue queue, Extender extender, Observer observer) {
        this.schedulerName = schedulerName;
        this.queue = queue;
        this.extender = extender;
        this.observer = observer;
        loop = new Thread(this::run, "extender-scheduling-loop");
        loop.setDaemon(true);
    }

    public void start() {
        loop.start();
    }

    public void onAdd(Pod pod) {
        if (responsibleFor(pod) && unassigned(pod)) {
            queue.add(pod);
        }
    }

    public void onUpdate(Pod old, Pod pod) {
        if (!unassigned(pod)) {
            // Bound: the assumption is confirmed and the pod leaves the scheduling queue.
            bound.add(uid(pod));
            assumed.remove(uid(pod));
            if (unassigned(old)) {
                queue.delete(pod);
            }
            return;
        }
        if (!responsibleFor(pod) || unchangedForScheduling(pod)) {
            return;
        }
        queue.update(pod);
    }

    public void onDelete(Pod pod) {
        assumed.remove(uid(pod));
        bound.remove(uid(pod));
        queue.delete(pod);
    }

    /** How many times the extender's filter was called. */
    public long filterCalls() {
        return filterCalls.get();
    }

    /** Pods popped again while assumed and not changed for scheduling: not filtered. */
    public long skipped() {
        return skipped.get();
    }

    private void run() {
        while (running) {
            try {
                Optional<Pod> next = queue.pop(Duration.ofMillis(200));
                next.ifPresent(this::scheduleOne);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.warn("scheduling loop: {}", e.toString());
            }
        }
    }

    private void scheduleOne(Pod pod) {
        if (pod.getMetadata().getDeletionTimestamp() != null || unchangedForScheduling(pod)) {
            skipped.incrementAndGet();
            return;
        }
        filterCalls.incrementAndGet();
        long started = System.nanoTime();
        FilterAnswer answer;
        try {
            answer = extender.filter(pod);
        } catch (Exception e) {
            answer = new FilterAnswer.Unfit("filter failed: " + e);
        }
        observer.filtered(pod, answer, System.nanoTime() - started);
        if (answer instanceof FilterAnswer.Unfit unfit) {
            retry(pod);
            observer.failed(pod, "filter", unfit.message());
            return;
        }
        String node = ((FilterAnswer.Fits) answer).node();
        if (assumed.putIfAbsent(uid(pod), pod) != null) {
            // kube-scheduler's AssumePod refuses a pod that is in its cache already: its first bind still runs.
            retry(pod);
            observer.failed(pod, "assume", "pod " + pod.getMetadata().getName() + " is in the cache, so can't be"
                    + " assumed");
            return;
        }
        binders.execute(() -> bind(pod, node));
    }

    private void bind(Pod pod, String node) {
        String error;
        try {
            error = extender.bind(pod, node);
        } catch (Exception e) {
            error = "bind failed: " + e;
        }
        if (error == null || error.isEmpty()) {
            observer.bound(pod, node);
            return;
        }
        assumed.remove(uid(pod));
        retry(pod);
        observer.failed(pod, "bind", error);
    }

    /** kube-scheduler's error handler: back into the queue after the backoff, unless the pod is bound by now. */
    private void retry(Pod pod) {
        if (!bound.contains(uid(pod))) {
            queue.backoff(pod);
        }
    }

    /** kube-scheduler's {@code skipPodUpdate}: the pod is assumed and differs only in fields scheduling ignores. */
    private boolean unchangedForScheduling(Pod pod) {
        Pod assumedPod = assumed.get(uid(pod));
        return assumedPod != null && Objects.equals(schedulingView(assumedPod), schedulingView(pod));
    }

    private static Pod schedulingView(Pod pod) {
        Pod copy = new PodBuilder(pod).build();
        copy.getMetadata().setResourceVersion(null);
        copy.getMetadata().setAnnotations(null);
        if (copy.getSpec() != null) {
            copy.getSpec().setNodeName(null);
        }
        return copy;
    }

    private boolean responsibleFor(Pod pod) {
        return pod.getSpec() != null && schedulerName.equals(pod.getSpec().getSchedulerName());
    }

    private static boolean unassigned(Pod pod) {
        return pod.getSpec() == null || pod.getSpec().getNodeName() == null || pod.getSpec().getNodeName().isEmpty();
    }

    private static String uid(Pod pod) {
        return pod.getMetadata().getUid();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        queue.close();
        loop.join(TimeUnit.SECONDS.toMillis(5));
        binders.shutdown();
        if (!binders.awaitTermination(30, TimeUnit.SECONDS)) {
            binders.shutdownNow();
        }
    }
}
