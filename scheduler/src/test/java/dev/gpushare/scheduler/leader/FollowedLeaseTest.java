package dev.gpushare.scheduler.leader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gpushare.scheduler.embedded.EmbeddedApiServer;
import dev.gpushare.scheduler.embedded.TestApiServerDispatcher;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import dev.gpushare.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code follow} mode against the mock API: the test writes the Lease as the kube-scheduler sidecar would
 * ({@code holderIdentity: <pod>_<uuid>}), and replicas watching it decide who leads.
 */
class FollowedLeaseTest {

    private static final String NAMESPACE = "hami-system";
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static EmbeddedApiServer api;
    private static KubernetesClient client;

    private final List<LeadershipCoordinator> started = new ArrayList<>();
    private final ManualClock clock = new ManualClock();
    private final ManualTimers timers = new ManualTimers(clock);

    @BeforeAll
    static void startApi() {
        api = EmbeddedApiServer.start(new TestApiServerDispatcher(), 0);
        client = api.newClient();
    }

    @AfterAll
    static void stopApi() {
        client.close();
        api.close();
    }

    @AfterEach
    void stopReplicas() {
        started.forEach(LeadershipCoordinator::stop);
    }

    @Test
    void theHolderIsMatchedUpToTheFirstUnderscoreExactly() {
        assertThat(FollowedLease.namesReplica("pod-1_8d1c", "pod-1")).isTrue();
        assertThat(FollowedLease.namesReplica("pod-1_8d1c_x", "pod-1")).isTrue();
        assertThat(FollowedLease.namesReplica("pod-1", "pod-1")).as("no uuid part").isTrue();
        assertThat(FollowedLease.namesReplica("pod-10_8d1c", "pod-1")).as("HAMi's prefix test says yes").isFalse();
        assertThat(FollowedLease.namesReplica("pod-1_8d1c", "pod-10")).isFalse();
        assertThat(FollowedLease.namesReplica("", "pod-1")).isFalse();
        assertThat(FollowedLease.namesReplica(null, "pod-1")).isFalse();
    }

    @Test
    void exactlyOneReplicaLeadsAndAPrefixOfTheHolderDoesNot() {
        String name = "follow-" + UUID.randomUUID();
        Leadership one = replica(name, "pod-1");
        Leadership ten = replica(name, "pod-10");

        write(name, "pod-10_" + UUID.randomUUID(), clock.instant(), 30);

        await().atMost(WAIT).until(() -> ten.status().synced());
        assertThat(one.status().leader()).as("pod-1 while pod-10 holds the lease").isFalse();
        assertThat(one.status().holder()).startsWith("pod-10_");

        write(name, "pod-1_" + UUID.randomUUID(), clock.instant(), 30);

        await().atMost(WAIT).until(() -> one.status().synced() && !ten.status().leader());
        assertThat(one.status().term()).isEqualTo(1);
        assertThat(ten.status().term()).as("the term pod-10 lost").isEqualTo(1);
    }

    @Test
    void aLeaseThatIsNotRenewedExpiresWithoutAnyEvent() {
        String name = "follow-" + UUID.randomUUID();
        Leadership leader = replica(name, "pod-1");
        write(name, "pod-1_" + UUID.randomUUID(), clock.instant(), 2);
        await().atMost(WAIT).until(() -> leader.status().synced());
        // Scheduled after the sync started: once it is, the clock may move.
        Instant check = clock.instant().plusSeconds(2).plusMillis(1);
        await().atMost(WAIT).until(() -> timers.pending().contains(check));

        timers.advance(Duration.ofSeconds(2));
        assertThat(leader.status().leader()).as("still within the lease").isTrue();
        timers.advance(Duration.ofMillis(1));

        await().atMost(WAIT).until(() -> !leader.status().leader());
    }

    @Test
    void anExpiredLeaseOnStartIsNotLeadership() {
        String name = "follow-" + UUID.randomUUID();
        write(name, "pod-1_" + UUID.randomUUID(), clock.instant().minusSeconds(60), 15);
        Leadership late = replica(name, "pod-1");

        await().atMost(WAIT).until(() -> late.status().holder().startsWith("pod-1_"));
        assertThat(late.status().leader()).isFalse();
    }

    @Test
    void aDeletedLeaseEndsTheLeadershipAtOnce() {
        String name = "follow-" + UUID.randomUUID();
        Leadership leader = replica(name, "pod-1");
        write(name, "pod-1_" + UUID.randomUUID(), clock.instant(), 300);
        await().atMost(WAIT).until(() -> leader.status().synced());

        client.leases().inNamespace(NAMESPACE).withName(name).delete();

        await().atMost(WAIT).until(() -> !leader.status().leader());
        assertThat(leader.status().holder()).isEmpty();
    }

    private Leadership replica(String leaseName, String identity) {
        FollowedLease source = new FollowedLease(client, NAMESPACE, leaseName, identity,
                new dev.gpushare.scheduler.health.InformerWatchdog(
                        new dev.gpushare.scheduler.health.ApiReachability(java.time.Clock.systemUTC()), java.time.Clock.systemUTC()));
        Leadership leadership = new Leadership(identity, source.describe());
        LeadershipCoordinator coordinator = new LeadershipCoordinator(leadership, source, new RecordingLedger(), null,
                clock, timers, new LeadershipCoordinator.Settings(WAIT, WAIT, Duration.ofHours(1)),
                new SimpleMeterRegistry());
        coordinator.start();
        started.add(coordinator);
        return leadership;
    }

    /** What kube-scheduler's elector writes: create the Lease, or take it over (an update on its resourceVersion). */
    static void write(String name, String holder, Instant renewed, int durationSeconds) {
        ZonedDateTime time = renewed.atZone(ZoneOffset.UTC);
        Lease existing = client.leases().inNamespace(NAMESPACE).withName(name).get();
        LeaseBuilder lease = existing == null
                ? new LeaseBuilder().withNewMetadata().withNamespace(NAMESPACE).withName(name).endMetadata()
                : new LeaseBuilder(existing);
        Lease written = lease.editOrNewSpec().withHolderIdentity(holder).withLeaseDurationSeconds(durationSeconds)
                .withAcquireTime(time).withRenewTime(time).endSpec().build();
        if (existing == null) {
            client.leases().inNamespace(NAMESPACE).resource(written).create();
        } else {
            client.leases().inNamespace(NAMESPACE).resource(written).update();
        }
    }
}
