package dev.gpushare.scheduler.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gpushare.scheduler.embedded.EmbeddedApiServer;
import dev.gpushare.scheduler.embedded.TestApiServerDispatcher;
import dev.gpushare.testkit.ManualClock;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Events aggregated as client-go's recorder does, against the mock API in CRUD mode. */
class EventRecorderTest {

    private final EmbeddedApiServer server = EmbeddedApiServer.start(new TestApiServerDispatcher(), 0);
    private final KubernetesClient client = server.newClient();
    private final ManualClock clock = new ManualClock();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final EventRecorder events = new EventRecorder(client, "hami-scheduler", clock, meters,
            new DecisionLog(10));
    private final ObjectMeta pod = new ObjectMetaBuilder().withNamespace("team").withName("train-1")
            .withUid("uid-1").build();

    @AfterEach
    void close() {
        events.close();
        client.close();
        server.close();
    }

    private List<Event> stored() {
        return client.v1().events().inNamespace("team").list().getItems().stream()
                .sorted(Comparator.comparing(Event::getFirstTimestamp)).toList();
    }

    private void awaitCounts(Integer... counts) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(stored()).extracting(Event::getCount).containsExactly(counts));
    }

    @Test
    void closeWritesTheEventsStillQueuedBeforeTheClientGoes() {
        for (int i = 0; i < 20; i++) {
            events.onPod(pod, EventRecorder.Type.Normal, "FilteringSucceed", "decision " + i);
        }

        events.close();

        // Read with the same client right after close: nothing was left for a closed client to fail on.
        assertThat(stored()).hasSize(20);
        assertThat(meters.counter("gpushare_events_dropped_total").count()).isZero();
    }

    @Test
    void theSameEventWithinTheWindowBumpsCountAndLastTimestampOfOneEvent() {
        events.onPod(pod, EventRecorder.Type.Warning, "FilteringFailed", "no available node");
        awaitCounts(1);
        Event first = stored().get(0);

        clock.advance(Duration.ofMinutes(3));
        events.onPod(pod, EventRecorder.Type.Warning, "FilteringFailed", "no available node");
        events.onPod(pod, EventRecorder.Type.Warning, "FilteringFailed", "no available node");

        awaitCounts(3);
        Event bumped = stored().get(0);
        assertThat(bumped.getMetadata().getName()).isEqualTo(first.getMetadata().getName());
        assertThat(bumped.getFirstTimestamp()).isEqualTo("2026-12-01T12:00:00Z");
        assertThat(bumped.getLastTimestamp()).isEqualTo("2026-12-01T12:03:00Z");
        assertThat(bumped.getType()).isEqualTo("Warning");
        assertThat(bumped.getReason()).isEqualTo("FilteringFailed");
        assertThat(bumped.getInvolvedObject().getUid()).isEqualTo("uid-1");
        assertThat(bumped.getSource().getComponent()).isEqualTo("hami-scheduler");
    }

    @Test
    void anotherMessageReasonOrObjectIsAnotherEvent() {
        events.onPod(pod, EventRecorder.Type.Warning, "FilteringFailed", "no available node");
        awaitCounts(1);
        clock.advance(Duration.ofSeconds(1));
        events.onPod(pod, EventRecorder.Type.Warning, "FilteringFailed", "other message");
        awaitCounts(1, 1);
        clock.advance(Duration.ofSeconds(1));
        events.onPod(pod, EventRecorder.Type.Normal, "FilteringSucceed", "other message");
        awaitCounts(1, 1, 1);
        clock.advance(Duration.ofSeconds(1));
        events.onPod(new ObjectMetaBuilder(pod).withUid("uid-2").build(), EventRecorder.Type.Normal,
                "FilteringSucceed", "other message");
        awaitCounts(1, 1, 1, 1);
    }

    @Test
    void afterTheWindowANewEventIsWritten() {
        events.onPod(pod, EventRecorder.Type.Normal, "BindingSucceed", "bound");
        awaitCounts(1);

        clock.advance(EventRecorder.WINDOW);
        events.onPod(pod, EventRecorder.Type.Normal, "BindingSucceed", "bound");

        awaitCounts(1, 1);
        assertThat(stored().get(1).getFirstTimestamp()).isEqualTo("2026-12-01T12:10:00Z");
    }

    @Test
    void anEventDeletedMeanwhileIsWrittenAgain() {
        events.onPod(pod, EventRecorder.Type.Normal, "BindingSucceed", "bound");
        awaitCounts(1);
        client.v1().events().inNamespace("team").delete();
        await().atMost(Duration.ofSeconds(10)).until(() -> stored().isEmpty());

        clock.advance(Duration.ofMinutes(1));
        events.onPod(pod, EventRecorder.Type.Normal, "BindingSucceed", "bound");

        awaitCounts(1);
        assertThat(stored().get(0).getFirstTimestamp()).isEqualTo("2026-12-01T12:01:00Z");
    }

    @Test
    void aThousandIdenticalEventsAreOneEventAndNoneIsDropped() {
        for (int i = 0; i < 1000; i++) {
            events.onPod(pod, EventRecorder.Type.Warning, "FilteringFailed", "no available node");
        }

        awaitCounts(1000);
        assertThat(meters.get("gpushare_events_dropped_total").counter().count()).isZero();
        assertThat(meters.get("gpushare_events_dropped_total").counter().getId().getDescription()).isNotBlank();
    }
}
