package dev.gpushare.scheduler.leader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gpushare.scheduler.embedded.EmbeddedApiServer;
import dev.gpushare.scheduler.embedded.TestApiServerDispatcher;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code elect} mode: two real fabric8 {@code LeaderElector}s on one Lease of the mock API, short timings. */
class ElectedLeaseTest {

    private static final String NAMESPACE = "hami-system";
    private static final ElectedLease.Timing TIMING = new ElectedLease.Timing(Duration.ofSeconds(2),
            Duration.ofMillis(1500), Duration.ofMillis(200));
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static final TestApiServerDispatcher dispatcher = new TestApiServerDispatcher();
    private static EmbeddedApiServer api;

    /** One replica: its own client, lease source and coordinator. */
    private record Replica(String name, KubernetesClient client, ElectedLease lease, Leadership leadership,
                           LeadershipCoordinator coordinator) {
        boolean leads() {
            return leadership.status().leader();
        }
    }

    private final List<Replica> replicas = new ArrayList<>();

    @BeforeAll
    static void startApi() {
        api = EmbeddedApiServer.start(dispatcher, 0);
    }

    @AfterAll
    static void stopApi() {
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
    void exactlyOneOfTwoLeadsAndTheLeaseNamesIt() {
        String name = "elect-" + UUID.randomUUID();
        Replica a = replica(name, "sched-a");
        Replica b = replica(name, "sched-b");

        await().atMost(WAIT).until(() -> a.leadership().status().synced() || b.leadership().status().synced());
        Replica leader = a.leads() ? a : b;
        Replica follower = leader == a ? b : a;
        await().during(Duration.ofMillis(1500)).atMost(WAIT).until(() -> leader.leads() && !follower.leads());

        Lease lease = api.newClient().leases().inNamespace(NAMESPACE).withName(name).get();
        assertThat(lease.getSpec().getHolderIdentity()).isEqualTo(leader.lease().holderIdentity())
                .startsWith(leader.name() + "_");
        assertThat(lease.getSpec().getLeaseDurationSeconds()).isEqualTo(2);
        assertThat(follower.leadership().status().holder()).isEqualTo(leader.lease().holderIdentity());
        assertThat(leader.leadership().status().term()).isEqualTo(1);
    }

    @Test
    void stoppingTheLeaderReleasesTheLeaseAndTheOtherTakesOverWithinTheLeaseDuration() {
        String name = "elect-" + UUID.randomUUID();
        Replica a = replica(name, "sched-a");
        Replica b = replica(name, "sched-b");
        await().atMost(WAIT).until(() -> a.leadership().status().synced() || b.leadership().status().synced());
        Replica leader = a.leads() ? a : b;
        Replica follower = leader == a ? b : a;

        leader.coordinator().stop();

        // fabric8 releases a Lease by cutting it to 1 s from now (its merge patch cannot clear the holder).
        Lease released = api.newClient().leases().inNamespace(NAMESPACE).withName(name).get();
        assertThat(released.getSpec().getHolderIdentity()).isEqualTo(leader.lease().holderIdentity());
        assertThat(released.getSpec().getLeaseDurationSeconds()).as("released on shutdown").isEqualTo(1);
        await().atMost(TIMING.leaseDuration()).until(() -> follower.leadership().status().synced());
    }

    @Test
    void aLeaderCutOffFromTheApiStopsLeadingBeforeAnyoneElseStarts() {
        String name = "elect-" + UUID.randomUUID();
        Replica a = replica(name, "sched-a");
        Replica b = replica(name, "sched-b");
        await().atMost(WAIT).until(() -> a.leadership().status().synced() || b.leadership().status().synced());
        Replica leader = a.leads() ? a : b;
        Replica follower = leader == a ? b : a;

        leader.client().close();  // a crash, as far as the lease can tell: no more renewals, no release

        await().atMost(WAIT).pollInterval(Duration.ofMillis(10)).failFast("two leaders at once",
                () -> leader.leads() && follower.leads()).until(() -> follower.leadership().status().synced());
        assertThat(leader.leads()).isFalse();
    }

    @Test
    void aLeaderThatCannotRenewStepsDownAndCompetesAgainInANewTerm() {
        String name = "elect-" + UUID.randomUUID();
        Replica only = replica(name, "sched-a");
        await().atMost(WAIT).until(() -> only.leadership().status().synced());

        // Every write of the lease fails for a while: longer than the renew deadline.
        dispatcher.fail("PATCH", "/leases/" + name, 500, 15);

        await().atMost(WAIT).until(() -> !only.leads());
        await().atMost(WAIT).until(() -> only.leadership().status().synced());
        assertThat(only.leadership().status().term()).isEqualTo(2);
    }

    private Replica replica(String leaseName, String identity) {
        KubernetesClient client = api.newClient();
        ElectedLease lease = new ElectedLease(client, NAMESPACE, leaseName, identity, TIMING,
                new dev.gpushare.scheduler.health.ApiReachability(java.time.Clock.systemUTC()));
        Leadership leadership = new Leadership(identity, lease.describe());
        LeadershipCoordinator coordinator = new LeadershipCoordinator(leadership, lease, new RecordingLedger(), null,
                Clock.systemUTC(), new LeadershipCoordinator.Settings(WAIT, WAIT, Duration.ofHours(1)),
                new SimpleMeterRegistry());
        coordinator.start();
        Replica replica = new Replica(identity, client, lease, leadership, coordinator);
        replicas.add(replica);
        return replica;
    }
}
