package dev.gpushare.scheduler.events;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes core/v1 Events on pods and nodes in the background, so a verb never waits for one: a bounded queue
 * drained by one thread; when it is full the event is dropped and counted ({@code gpushare_events_dropped_total})
 * rather than slowing the scheduler down.
 */
public final class EventRecorder implements Events, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EventRecorder.class);
    private static final int QUEUE = 2048;
    /** The API server rejects longer event messages. */
    private static final int MAX_MESSAGE = 1024;

    private final KubernetesClient client;
    private final String component;
    private final Clock clock;
    private final ThreadPoolExecutor writer;
    private final Counter dropped;

    public EventRecorder(KubernetesClient client, String component, Clock clock, MeterRegistry meters) {
        this.client = client;
        this.component = component;
        this.clock = clock;
        this.dropped = meters.counter("gpushare_events_dropped_total");
        this.writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread thread = new Thread(r, "event-recorder");
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public void onPod(ObjectMeta pod, Type type, String reason, String message) {
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
        try {
            writer.execute(() -> write(ref, type, reason, message));
        } catch (RejectedExecutionException e) {
            dropped.increment();
        }
    }

    private void write(ObjectReference ref, Type type, String reason, String message) {
        String now = DateTimeFormatter.ISO_INSTANT.format(clock.instant().truncatedTo(ChronoUnit.SECONDS));
        // Events of cluster-scoped objects (nodes) live in "default", as kubectl looks for them there.
        String namespace = ref.getNamespace() == null || ref.getNamespace().isEmpty() ? "default" : ref.getNamespace();
        String text = message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE - 3) + "..." : message;
        try {
            client.v1().events().inNamespace(namespace).resource(new EventBuilder()
                    .withNewMetadata().withNamespace(namespace)
                    .withName(ref.getName() + "." + UUID.randomUUID().toString().substring(0, 13).replace("-", ""))
                    .endMetadata()
                    .withInvolvedObject(ref).withType(type.name()).withReason(reason).withMessage(text)
                    .withNewSource().withComponent(component).endSource()
                    .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                    .withReportingComponent(component)
                    .build()).create();
        } catch (KubernetesClientException e) {
            log.debug("event not written reason={} object={}/{}: {}", reason, namespace, ref.getName(), e.getMessage());
        }
    }

    @Override
    public void close() {
        writer.shutdown();
    }
}
