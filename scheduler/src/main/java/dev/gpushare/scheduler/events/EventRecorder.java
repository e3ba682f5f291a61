package dev.gpushare.scheduler.events;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes core/v1 Events on pods and nodes in the background, so a verb never waits for one, aggregated as
 * client-go's recorder does: an event with the same object, type, reason and message as one written less than
 * {@link #WINDOW} ago bumps that Event's {@code count} and {@code lastTimestamp} (a merge patch) instead of
 * creating another. Identical events that arrive while one is still queued are folded into it, so the queue holds
 * at most one entry per distinct event and at most {@value #QUEUE} entries; beyond that an event is dropped and
 * counted ({@code gpushare_events_dropped_total}) rather than slowing the scheduler down. The Events written are
 * remembered for {@value #REMEMBERED} distinct keys (client-go's LRU size), the oldest forgotten first. Every event
 * on a pod is also kept in the {@link DecisionLog} the GPU page shows.
 */
public final class EventRecorder implements Events, AutoCloseable {

    /** How long after its last occurrence an Event is bumped rather than written anew (client-go: 10 minutes). */
    public static final Duration WINDOW = Duration.ofMinutes(10);

    /** How long {@link #close} waits for queued events. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);
    private static final Logger log = LoggerFactory.getLogger(EventRecorder.class);
    private static final int QUEUE = 2048;
    private static final int REMEMBERED = 4096;

    /** What makes two events the same (client-go's {@code getEventKey}, source aside: it is always ours). */
    private record Key(String kind, String namespace, String name, String uid, Type type, String reason,
                       String message) {
    }

    /** Occurrences of one key waiting for the writer. */
    private static final class Pending {
        private final ObjectReference ref;
        private int occurrences = 1;

        Pending(ObjectReference ref) {
            this.ref = ref;
        }
    }

    /** An Event as written: its name and what it says so far. */
    private record Written(String namespace, String name, int count, Instant last) {
    }

    private final KubernetesClient client;
    private final String component;
    private final Clock clock;
    private final ThreadPoolExecutor writer;
    private final Counter dropped;
    private final DecisionLog decisions;
    private final Map<Key, Pending> pending = new ConcurrentHashMap<>();
    /** Touched by the writer thread only. */
    private final Map<Key, Written> written = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Written> eldest) {
            return size() > REMEMBERED;
        }
    };

    public EventRecorder(KubernetesClient client, String component, Clock clock, MeterRegistry meters,
                         DecisionLog decisions) {
        this.client = client;
        this.decisions = decisions;
        this.component = component;
        this.clock = clock;
        this.dropped = Counter.builder("gpushare_events_dropped_total")
                .description("Kubernetes events not written because the event queue was full, or still queued when the scheduler stopped")
                .register(meters);
        this.writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread thread = new Thread(r, "event-recorder");
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public void onPod(ObjectMeta pod, Type type, String reason, String message) {
        decisions.add(new DecisionLog.Decision(clock.instant(), pod.getNamespace(), pod.getName(), type.name(), reason,
                message));
        record(reference("Pod", pod), type, reason, message);
    }

    @Override
    public void onNode(ObjectMeta node, Type type, String reason, String message) {
        record(reference("Node", node), type, reason, message);
    }

    private static ObjectReference reference(String kind, ObjectMeta meta) {
        return new ObjectReferenceBuilder().withApiVersion("v1").withKind(kind).withNamespace(meta.getNamespace())
                .withName(meta.getName()).withUid(meta.getUid()).build();
    }

    private void record(ObjectReference ref, Type type, String reason, String message) {
        String text = Events.cut(message);
        Key key = new Key(ref.getKind(), ref.getNamespace(), ref.getName(), ref.getUid(), type, reason, text);
        boolean[] fresh = new boolean[1];
        pending.compute(key, (k, queued) -> {
            if (queued == null) {
                fresh[0] = true;
                return new Pending(ref);
            }
            queued.occurrences++;
            return queued;
        });
        if (!fresh[0]) {
            return;
        }
        try {
            writer.execute(() -> write(key));
        } catch (RejectedExecutionException e) {
            Pending lost = pending.remove(key);
            dropped.increment(lost == null ? 1 : lost.occurrences);
        }
    }

    private void write(Key key) {
        Pending occurred = pending.remove(key);
        if (occurred == null) {
            return;
        }
        Instant nowInstant = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        String now = DateTimeFormatter.ISO_INSTANT.format(nowInstant);
        Written before = written.get(key);
        try {
            if (before != null && nowInstant.isBefore(before.last().plus(WINDOW)) && bump(before, occurred, now)) {
                written.put(key, new Written(before.namespace(), before.name(), before.count() + occurred.occurrences,
                        nowInstant));
                return;
            }
            written.put(key, create(key, occurred, now, nowInstant));
        } catch (KubernetesClientException | IllegalStateException e) {
            // IllegalStateException: the client was closed under a write still queued at shutdown.
            log.debug("event not written reason={} object={}/{}: {}", key.reason(), key.namespace(), key.name(),
                    e.getMessage());
        }
    }

    /** Bumps count and lastTimestamp; false when the Event is gone (expired by the API server's TTL). */
    private boolean bump(Written before, Pending occurred, String now) {
        ObjectNode patch = JsonNodeFactory.instance.objectNode();
        patch.put("count", before.count() + occurred.occurrences);
        patch.put("lastTimestamp", now);
        try {
            client.v1().events().inNamespace(before.namespace()).withName(before.name())
                    .patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    private Written create(Key key, Pending occurred, String now, Instant nowInstant) {
        // Events of cluster-scoped objects (nodes) live in "default", as kubectl looks for them there.
        String namespace = key.namespace() == null || key.namespace().isEmpty() ? "default" : key.namespace();
        String name = key.name() + "." + UUID.randomUUID().toString().substring(0, 13).replace("-", "");
        client.v1().events().inNamespace(namespace).resource(new EventBuilder()
                .withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .withInvolvedObject(occurred.ref).withType(key.type().name()).withReason(key.reason())
                .withMessage(key.message())
                .withNewSource().withComponent(component).endSource()
                .withFirstTimestamp(now).withLastTimestamp(now).withCount(occurred.occurrences)
                .withReportingComponent(component)
                .build()).create();
        return new Written(namespace, name, occurred.occurrences, nowInstant);
    }

    @Override
    public void close() {
        // Events still queued get a moment to be written before the client goes; the rest are counted as dropped.
        writer.shutdown();
        try {
            if (!writer.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                dropped.increment(writer.shutdownNow().size());
            }
        } catch (InterruptedException e) {
            dropped.increment(writer.shutdownNow().size());
            Thread.currentThread().interrupt();
        }
    }
}
