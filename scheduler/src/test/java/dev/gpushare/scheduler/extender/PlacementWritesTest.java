package dev.gpushare.scheduler.extender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The placement write behind {@code /filter}'s answer, and what {@code /bind} learns about it. */
class PlacementWritesTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T22:00:00Z"), ZoneOffset.UTC);

    /** A patcher whose writes land when the test says, each with the answer the test chose. */
    private static final class HeldPatcher implements PlacementWrites.Patcher {
        final CountDownLatch release = new CountDownLatch(1);
        final List<String> written = new CopyOnWriteArrayList<>();
        volatile String answer;

        @Override
        public String patch(String namespace, String name, PlacementWrites.Placement placement, long term) {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            written.add(namespace + "/" + name + " term " + term + " on " + placement.node());
            return answer;
        }
    }

    private final HeldPatcher patcher = new HeldPatcher();
    private final PlacementWrites writes = new PlacementWrites(patcher, CLOCK, Duration.ofMinutes(2));
    private final List<String> rollbacks = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        patcher.release.countDown();
        writes.close();
    }

    private static PlacementWrites.Placement placement(String node) {
        return new PlacementWrites.Placement(node, "GPU-0,NVIDIA,1000,25:;", "v1:seal", CLOCK.instant());
    }

    @Test
    void aBindThatArrivesBeforeTheWriteLandsWaitsForIt() throws Exception {
        writes.write("uid-1", "ns", "pod", placement("node-a"), 7, rollbacks::add);
        CompletableFuture<PlacementWrites.Landed> bind = CompletableFuture.supplyAsync(() -> {
            try {
                return writes.awaitLanded("uid-1", Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> !bind.isDone());

        patcher.release.countDown();

        assertThat(bind.get(10, TimeUnit.SECONDS)).isInstanceOf(PlacementWrites.Landed.Written.class);
        assertThat(patcher.written).containsExactly(
                "ns/pod term 7 on node-a");
        assertThat(rollbacks).isEmpty();
    }

    @Test
    void aFailedWriteRollsBackAndItsBindGetsTheErrorOnce() throws Exception {
        patcher.answer = "cannot annotate pod ns/pod with its placement: 403";
        patcher.release.countDown();
        writes.write("uid-1", "ns", "pod", placement("node-a"), 7, rollbacks::add);

        assertThat(writes.awaitLanded("uid-1", Duration.ofSeconds(10))).isEqualTo(
                new PlacementWrites.Landed.Failed("cannot annotate pod ns/pod with its placement: 403"));
        assertThat(rollbacks).containsExactly("cannot annotate pod ns/pod with its placement: 403");
        // The retry of kube-scheduler filters again; until then nothing is pending for that pod.
        assertThat(writes.awaitLanded("uid-1", Duration.ZERO))
                .isEqualTo(new PlacementWrites.Landed.Written(Duration.ZERO));
    }

    @Test
    void writesOfOnePodLandInOrderAndOnlyTheLatestRollsBack() throws Exception {
        patcher.answer = "stale";
        writes.write("uid-1", "ns", "pod", placement("node-a"), 7, rollbacks::add);
        writes.write("uid-1", "ns", "pod", placement("node-b"), 7, error -> rollbacks.add("latest: " + error));
        patcher.release.countDown();

        PlacementWrites.Landed landed = writes.awaitLanded("uid-1", Duration.ofSeconds(10));

        assertThat(patcher.written).containsExactly(
                "ns/pod term 7 on node-a",
                "ns/pod term 7 on node-b");
        assertThat(landed).isEqualTo(new PlacementWrites.Landed.Failed("stale"));
        // The first write's failure concerned a reservation the second filter had already replaced.
        assertThat(rollbacks).containsExactly("latest: stale");
    }

    @Test
    void aWriteStillInFlightWhenTheWaitEndsFailsTheBind() throws Exception {
        writes.write("uid-1", "ns", "pod", placement("node-a"), 7, rollbacks::add);

        assertThat(writes.awaitLanded("uid-1", Duration.ofMillis(50))).isEqualTo(new PlacementWrites.Landed.Failed(
                "the placement annotations of the pod were not written within 50ms"));
    }

    @Test
    void nothingPendingMeansWritten() throws Exception {
        assertThat(writes.awaitLanded("never-filtered-here", Duration.ZERO))
                .isEqualTo(new PlacementWrites.Landed.Written(Duration.ZERO));
    }
}
