package dev.gpushare.scheduler.leader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gpushare.scheduler.embedded.EmbeddedApiServer;
import dev.gpushare.scheduler.embedded.TestApiServerDispatcher;
import dev.gpushare.scheduler.health.ApiReachability;
import dev.gpushare.testkit.ManualClock;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code elect} mode: two replicas' elections on one Lease of the mock API, with kube-scheduler's timings on a
 * manual clock. Time moves only by {@link #tick}; the attempts it fires run their API calls on the test's thread, so
 * the Lease is final when it returns, and only the coordinators' own threads are awaited.
 */
class ElectedLeaseTest {

    private static final String NAMESPACE = "hami-system";
    private static final ElectedLease.Timing TIMING = new ElectedLease.Timing(Duration.ofSeconds(15),
            Duration.ofSeconds(10), Duration.ofSeconds(2));
    private static final Duration RETRY = TIMING.retryPeriod();
    /** For the coordinators' threads only; no time passes on the test's clock meanwhile. */
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static final TestApiServerDispatcher dispatcher = new TestApiServerDispatcher();
    private static EmbeddedApiServer api;
    private static KubernetesClient observer;

    private final ManualClock clock = new ManualClock();
    private final ManualTimers timers = new ManualTimers(clock);
    private final Instant t0 = clock.instant();
    private final String name = "elect-" + UUID.randomUUID();
    private final List<Replica> replicas = new ArrayList<>();

    /** One replica: its own client, lease source and coordinator. */
    private record Replica(String name, KubernetesClient client, ElectedLease lease, Leadership leadership,
                           LeadershipCoordinator coordinator, ApiReachability reachability) {
        boolean leads() {
            return leadership.status().leader();
        }

        boolean serving() {
            return leadership.status().synced();
        }
    }

    @BeforeAll
    static void startApi() {
        api = EmbeddedApiServer.start(dispatcher, 0);
        observer = api.newClient();
    }

    @AfterAll
    static void stopApi() {
        observer.close();
        api.close();
    }

    @AfterEach
    void stopReplicas() {
        dispatcher.clearFaults();
        for (Replica replica : replicas) {
            if (replica.coordinator().isRunning()) {
                replica.coordinator().stop();
            }
            replica.client().close();
        }
    }

    @Test
    void theRuleTakesALeaseOverExactlyAtItsExpiryAndAReleasedOneAtOnce() {
        Instant renewed = Instant.parse("2026-12-01T12:00:00Z");
        ElectedLease.Held other = new ElectedLease.Held("b_1", renewed, Duration.ofSeconds(15));
        Instant expiry = renewed.plusSeconds(15);

        assertThat(ElectedLease.decide(null, renewed, "a_1")).isEqualTo(new ElectedLease.Decision.Create());
        assertThat(ElectedLease.decide(other, expiry.minusNanos(1000), "a_1"))
                .isEqualTo(new ElectedLease.Decision.Wait("b_1", expiry));
        assertThat(ElectedLease.decide(other, expiry, "a_1")).isEqualTo(new ElectedLease.Decision.TakeOver("b_1"));
        assertThat(ElectedLease.decide(other, expiry.plusSeconds(3600), "b_1"))
                .as("our own Lease is renewed, however old").isEqualTo(new ElectedLease.Decision.Renew());
        assertThat(ElectedLease.decide(new ElectedLease.Held("", renewed, Duration.ofSeconds(1)), renewed, "a_1"))
                .as("released").isEqualTo(new ElectedLease.Decision.TakeOver(""));
        assertThat(ElectedLease.decide(new ElectedLease.Held("b_1", null, null), renewed, "a_1"))
                .as("no renewTime: nothing to wait for").isEqualTo(new ElectedLease.Decision.TakeOver("b_1"));
    }

    @Test
    void exactlyOneOfTwoLeadsAndRenewsEveryRetryPeriodWhileTheOtherWaits() {
        Replica a = replica("sched-a");
        Replica b = replica("sched-b");

        tick(Duration.ZERO);  // a's first attempt creates the Lease, then b's reads it

        assertLease(a, t0, t0, 0, 15);
        await().atMost(WAIT).until(a::serving);
        await().atMost(WAIT).until(() -> b.leadership().status().holder().equals(a.lease().holderIdentity()));
        assertThat(a.lease().holderIdentity()).startsWith("sched-a_");
        // Longer than a lease duration: b never takes a Lease that is renewed on every tick.
        for (int i = 1; i <= 10; i++) {
            tick(RETRY);
            assertLease(a, t0, clock.instant(), 0, 15);
        }
        assertThat(a.leadership().status().term()).isEqualTo(1);
        assertThat(b.leadership().status()).isEqualTo(
                new Leadership.Status(false, 0, false, a.lease().holderIdentity()));
    }

    @Test
    void stoppingTheLeaderReleasesTheLeaseAndTheOtherTakesItAtItsNextAttempt() {
        Replica a = replica("sched-a");
        Replica b = replica("sched-b");
        tick(Duration.ZERO);
        await().atMost(WAIT).until(a::serving);
        tick(Duration.ofMillis(500));  // nobody's attempt is due: the release is written at a time of its own

        a.coordinator().stop();

        // As client-go releases a Lease: holder cleared, duration 1 s, renewed and acquired now.
        LeaseSpec released = lease().getSpec();
        assertThat(released.getHolderIdentity()).isEmpty();
        assertThat(released.getLeaseDurationSeconds()).isEqualTo(1);
        assertThat(released.getRenewTime().toInstant()).isEqualTo(t0.plusMillis(500));
        assertThat(released.getAcquireTime().toInstant()).isEqualTo(t0.plusMillis(500));
        assertThat(released.getLeaseTransitions()).isZero();

        tick(RETRY.minusMillis(500));  // b's next attempt

        assertLease(b, t0.plus(RETRY), t0.plus(RETRY), 1, 15);
        await().atMost(WAIT).until(b::serving);
        assertThat(b.leadership().status().term()).isEqualTo(1);
    }

    @Test
    void aLeaderCutOffFromTheApiStopsAtItsRenewDeadlineAndTheOtherStartsOnlyAfterTheLeaseExpired() {
        Replica a = replica("sched-a");
        Replica b = replica("sched-b");
        tick(Duration.ZERO);
        tick(RETRY);
        Instant lastRenewal = t0.plus(RETRY);
        assertLease(a, t0, lastRenewal, 0, 15);
        await().atMost(WAIT).until(a::serving);

        Instant deadline = lastRenewal.plus(TIMING.renewDeadline());
        // The coordinator checks expiry 1 ms after the deadline of the last renewal it has applied.
        await().atMost(WAIT).until(() -> timers.pending().contains(deadline.plusMillis(1)));

        a.client().close();  // a crash, as far as the Lease can tell: no more renewals, no release

        advanceTo(deadline.minusMillis(1));
        assertThat(a.serving()).as("within its renew deadline").isTrue();
        advanceTo(deadline.plusMillis(1));
        await().atMost(WAIT).until(() -> !a.leads());
        assertThat(a.leadership().status().term()).isEqualTo(1);

        Instant expiry = lastRenewal.plus(TIMING.leaseDuration());
        assertThat(expiry).isEqualTo(t0.plusSeconds(17));
        advanceTo(t0.plusSeconds(16));  // b's last attempt before the expiry: it still waits
        assertLease(a, t0, lastRenewal, 0, 15);
        assertThat(b.leads()).isFalse();

        tick(RETRY);  // b's first attempt after the expiry takes it
        assertLease(b, t0.plusSeconds(18), t0.plusSeconds(18), 1, 15);
        await().atMost(WAIT).until(b::serving);
        assertThat(a.leads()).isFalse();
    }

    @Test
    void aLeaderWhoseWritesFailStepsDownAtItsRenewDeadlineAndLeadsAgainInTermTwo() {
        Replica only = replica("sched-a");
        tick(Duration.ZERO);
        await().atMost(WAIT).until(only::serving);
        await().atMost(WAIT).until(() -> timers.pending().contains(t0.plus(TIMING.renewDeadline()).plusMillis(1)));

        dispatcher.fail("PUT", "/leases/" + name + "$", 500, 1000);
        advanceTo(t0.plus(TIMING.renewDeadline()).plusMillis(1));  // five renewals failed, then the deadline

        await().atMost(WAIT).until(() -> !only.leads());
        assertLease(only, t0, t0, 0, 15);
        assertThat(only.reachability().status().failing()).containsOnlyKeys("leader election");

        dispatcher.clearFaults();
        advanceTo(t0.plusSeconds(12));  // the next attempt renews the Lease, which still names us

        assertLease(only, t0, t0.plusSeconds(12), 0, 15);
        await().atMost(WAIT).until(only::serving);
        assertThat(only.leadership().status().term()).isEqualTo(2);
        assertThat(only.reachability().status().reachable()).isTrue();
    }

    @Test
    void aLeaderThatReadsAnotherHolderStopsLeadingAtOnce() {
        Replica a = replica("sched-a");
        tick(Duration.ZERO);
        await().atMost(WAIT).until(a::serving);

        // Someone else wrote the Lease (an operator, or a replica whose clock runs ahead).
        Lease taken = lease();
        taken.getSpec().setHolderIdentity("intruder_1");
        observer.leases().resource(taken).update();
        tick(RETRY);

        await().atMost(WAIT).until(() -> !a.leads());
        assertThat(a.leadership().status().holder()).isEqualTo("intruder_1");
        assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("intruder_1");
    }

    /** Moves the clock by {@code by}, firing every attempt and expiry check due by then. */
    private void tick(Duration by) {
        timers.advance(by);
    }

    /** Moves the clock to {@code instant} one retry period at most at a time, so attempts run at their own time. */
    private void advanceTo(Instant instant) {
        while (clock.instant().isBefore(instant)) {
            Duration left = Duration.between(clock.instant(), instant);
            tick(left.compareTo(RETRY) < 0 ? left : RETRY);
        }
    }

    private Lease lease() {
        return observer.leases().inNamespace(NAMESPACE).withName(name).get();
    }

    private void assertLease(Replica holder, Instant acquired, Instant renewed, int transitions, int seconds) {
        LeaseSpec spec = lease().getSpec();
        assertThat(spec.getHolderIdentity()).isEqualTo(holder.lease().holderIdentity());
        assertThat(spec.getAcquireTime().toInstant()).as("acquireTime").isEqualTo(acquired);
        assertThat(spec.getRenewTime().toInstant()).as("renewTime").isEqualTo(renewed);
        assertThat(spec.getLeaseTransitions()).as("leaseTransitions").isEqualTo(transitions);
        assertThat(spec.getLeaseDurationSeconds()).as("leaseDurationSeconds").isEqualTo(seconds);
    }

    private Replica replica(String identity) {
        KubernetesClient client = api.newClient();
        ApiReachability reachability = new ApiReachability(clock);
        ElectedLease lease = new ElectedLease(client, NAMESPACE, name, identity, TIMING, reachability, clock, timers);
        Leadership leadership = new Leadership(identity, lease.describe());
        LeadershipCoordinator coordinator = new LeadershipCoordinator(leadership, lease, new RecordingLedger(), null,
                clock, timers, new LeadershipCoordinator.Settings(WAIT, WAIT, Duration.ofHours(1)),
                new SimpleMeterRegistry());
        coordinator.start();
        Replica replica = new Replica(identity, client, lease, leadership, coordinator, reachability);
        replicas.add(replica);
        return replica;
    }
}
