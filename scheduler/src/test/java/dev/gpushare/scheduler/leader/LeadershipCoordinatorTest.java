package dev.gpushare.scheduler.leader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import dev.gpushare.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Transitions driven by a hand-written lease source, with a ledger whose rebuilds the test releases one by one. */
class LeadershipCoordinatorTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private final Leadership leadership = new Leadership("pod-1", "lease test/manual");
    private final ManualLease lease = new ManualLease();
    private final RecordingLedger ledger = new RecordingLedger();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ManualClock clock = new ManualClock();
    private final ManualTimers timers = new ManualTimers(clock);
    private final LeadershipCoordinator coordinator = new LeadershipCoordinator(leadership, lease, ledger, null,
            clock, timers, new LeadershipCoordinator.Settings(WAIT, WAIT, Duration.ofHours(1)), meters);

    @AfterEach
    void stop() {
        if (coordinator.isRunning()) {
            ledger.allow();
            ledger.allow();
            coordinator.stop();
        }
    }

    @Test
    void aGainRebuildsTheLedgerThenServesAndTheGaugesFollow() {
        coordinator.start();
        assertThat(gauge("gpushare_leader")).isZero();

        lease.push(LeaseStatus.ours("pod-1_a", Instant.MAX));

        await().atMost(WAIT).until(() -> leadership.status().synced());
        assertThat(ledger.rebuildsDone).hasValue(1);
        assertThat(gauge("gpushare_leader")).isEqualTo(1);
        assertThat(gauge("gpushare_leader_synced")).isEqualTo(1);
        assertThat(gauge("gpushare_leader_term")).isEqualTo(1);
        assertThat(meters.counter("gpushare_leadership_changes", "change", "gained").count()).isEqualTo(1);

        lease.push(LeaseStatus.notOurs("pod-2_b"));

        await().atMost(WAIT).until(() -> ledger.relinquished.get() == 1);
        assertThat(leadership.status()).isEqualTo(new Leadership.Status(false, 1, false, "pod-2_b"));
        assertThat(gauge("gpushare_leader")).isZero();
        assertThat(gauge("gpushare_leader_synced")).isZero();
        assertThat(meters.counter("gpushare_leadership_changes", "change", "lost").count()).isEqualTo(1);
    }

    @Test
    void lostAndRegainedDuringARebuildNeedsARebuildOfItsOwn() {
        ledger.hold();
        coordinator.start();
        lease.push(LeaseStatus.ours("pod-1_a", Instant.MAX));
        await().atMost(WAIT).until(() -> ledger.rebuildsStarted.get() == 1);

        lease.push(LeaseStatus.notOurs("pod-2_b"));
        lease.push(LeaseStatus.ours("pod-1_a", Instant.MAX));
        await().atMost(WAIT).until(() -> leadership.status().term() == 2);

        ledger.allow();  // the rebuild of term 1 finishes now
        await().atMost(WAIT).until(() -> ledger.rebuildsStarted.get() == 2);
        assertThat(ledger.rebuildsDone).hasValue(1);
        assertThat(ledger.relinquished).hasValue(1);
        assertThat(leadership.status()).as("term 1's rebuild must not serve term 2")
                .isEqualTo(new Leadership.Status(true, 2, false, "pod-1_a"));

        ledger.allow();
        await().atMost(WAIT).until(() -> leadership.status().synced());
        assertThat(leadership.status().term()).isEqualTo(2);
    }

    @Test
    void anExpiredLeaseIsLostWithoutAnyFurtherEvent() {
        coordinator.start();
        Instant until = clock.instant().plusMillis(300);
        lease.push(LeaseStatus.ours("pod-1_a", until));
        await().atMost(WAIT).until(() -> leadership.status().synced());
        // The transitions thread schedules the expiry check after it started the sync: wait for it, or the clock
        // could move first and the check would be due later than the test expects.
        await().atMost(WAIT).until(() -> timers.pending().contains(until.plusMillis(1)));

        timers.advance(Duration.ofMillis(300));
        assertThat(leadership.status().leader()).as("still within the lease").isTrue();
        timers.advance(Duration.ofMillis(1));

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(leadership.status().leader()).isFalse();
            assertThat(ledger.relinquished).hasValue(1);
        });
    }

    @Test
    void aRenewedLeaseStaysInTheSameTerm() {
        coordinator.start();
        lease.push(LeaseStatus.ours("pod-1_a", clock.instant().plusMillis(400)));
        await().atMost(WAIT).until(() -> leadership.status().synced());

        lease.push(LeaseStatus.ours("pod-1_a", clock.instant().plusSeconds(60)));
        timers.advance(Duration.ofMillis(600));
        // Transitions run in order: once this one is seen, any expiry check fired by the advance has run too.
        lease.push(LeaseStatus.ours("pod-1_b", clock.instant().plusSeconds(60)));
        await().atMost(WAIT).until(() -> leadership.status().holder().equals("pod-1_b"));

        assertThat(leadership.status().leader()).isTrue();
        assertThat(leadership.status().term()).isEqualTo(1);
        assertThat(ledger.rebuildsDone).hasValue(1);
    }

    @Test
    void shutdownDrainsTheVerbsBeforeGivingTheLeaseAway() throws Exception {
        coordinator.start();
        lease.push(LeaseStatus.ours("pod-1_a", Instant.MAX));
        await().atMost(WAIT).until(() -> leadership.status().synced());
        TermPermit writing = leadership.enter(1);
        AtomicBoolean writingWhenClosed = new AtomicBoolean(true);
        AtomicBoolean writingDone = new AtomicBoolean();
        lease.onClose = () -> writingWhenClosed.set(!writingDone.get());

        CompletableFuture<Void> stopping = CompletableFuture.runAsync(coordinator::stop);
        await().atMost(WAIT).until(() -> leadership.awaitServing(Duration.ZERO) instanceof Admission.Refused);
        assertThat(lease.closed).as("lease given away while a verb still writes").isFalse();

        writingDone.set(true);
        writing.close();
        stopping.get();

        assertThat(lease.closed).isTrue();
        assertThat(writingWhenClosed).isFalse();
    }

    @Test
    void aStoppedCoordinatorStartsAgainInANewTerm() {
        coordinator.start();
        lease.push(LeaseStatus.ours("pod-1_a", Instant.MAX));
        await().atMost(WAIT).until(() -> leadership.status().synced());
        coordinator.stop();
        assertThat(leadership.status().leader()).isFalse();

        coordinator.start();
        lease.push(LeaseStatus.ours("pod-1_a", Instant.MAX));

        await().atMost(WAIT).until(() -> leadership.status().synced());
        assertThat(leadership.status().term()).isEqualTo(2);
        assertThat(ledger.rebuildsDone).hasValue(2);
    }

    private double gauge(String name) {
        return meters.get(name).gauge().value();
    }
}
