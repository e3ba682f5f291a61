package dev.gpushare.scheduler.leader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/** The term rules of {@link Leadership}: who may place pods, for which term, and how long a verb waits. */
@Timeout(10)
class LeadershipTest {

    private final Leadership leadership = new Leadership("pod-1", "lease ns/hami-scheduler");

    @Test
    void aFollowerRefusesAfterTheBoundedWaitNamingTheHolder() throws Exception {
        leadership.observe("pod-2_7f3a");

        assertThat(leadership.awaitServing(Duration.ofMillis(50))).isEqualTo(new Admission.Refused(
                "not the leader: this replica (pod-1) does not hold lease ns/hami-scheduler, pod-2_7f3a does"
                        + " (waited 50ms)"));
    }

    @Test
    void aBindOnAFollowerIsRefusedWithoutWaiting() throws Exception {
        // A wait of minutes would trip the class timeout if it were waited for.
        assertThat(leadership.admitIfLeader(Duration.ofMinutes(5))).isEqualTo(new Admission.Refused(
                "not the leader: this replica (pod-1) does not hold lease ns/hami-scheduler, nobody does"));
    }

    @Test
    void aNewTermServesOnlyOnceItsOwnRebuildIsDone() throws Exception {
        long term = leadership.begin("pod-1_a");
        assertThat(term).isEqualTo(1);
        assertThat(leadership.awaitServing(Duration.ZERO)).isEqualTo(new Admission.Refused(
                "not ready: leadership term 1 of pod-1 is still rebuilding the cluster state"));

        assertThat(leadership.markSynced(term)).isTrue();
        assertThat(leadership.awaitServing(Duration.ZERO)).isEqualTo(new Admission.Serving(1));
        assertThat(leadership.status()).isEqualTo(new Leadership.Status(true, 1, true, "pod-1_a"));
    }

    @Test
    void aRebuildForAnOldTermDoesNotMarkTheNewTermSynced() throws Exception {
        long first = leadership.begin("pod-1_a");
        leadership.end("pod-2_b");
        long second = leadership.begin("pod-1_a");

        assertThat(second).isEqualTo(first + 1);
        assertThat(leadership.markSynced(first)).as("the rebuild of the lost term").isFalse();
        assertThat(leadership.status()).isEqualTo(new Leadership.Status(true, second, false, "pod-1_a"));
        assertThat(leadership.markSynced(second)).isTrue();
        assertThat(leadership.status().synced()).isTrue();
    }

    @Test
    void aLostTermCannotBeMarkedSynced() {
        long term = leadership.begin("pod-1_a");
        leadership.end("");

        assertThat(leadership.markSynced(term)).isFalse();
        assertThat(leadership.status()).isEqualTo(new Leadership.Status(false, term, false, ""));
    }

    @Test
    void aWaitingFilterIsServedAsSoonAsTheTermIsSynced() throws Exception {
        long term = leadership.begin("pod-1_a");
        CompletableFuture<Admission> filter = CompletableFuture.supplyAsync(() -> admit(Duration.ofSeconds(5)));

        leadership.markSynced(term);

        assertThat(filter.get()).isEqualTo(new Admission.Serving(term));
    }

    @Test
    void aBindWaitingForTheRebuildIsRefusedAtOnceWhenTheLeadershipIsLost() throws Exception {
        leadership.begin("pod-1_a");
        CompletableFuture<Admission> bind = CompletableFuture.supplyAsync(() -> {
            try {
                return leadership.admitIfLeader(Duration.ofMinutes(5));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });

        leadership.end("pod-2_b");

        assertThat(bind.get()).isInstanceOf(Admission.Refused.class);
        assertThat(((Admission.Refused) bind.get()).reason()).startsWith("not the leader: this replica (pod-1)");
    }

    @Test
    void aPermitIsHeldOnlyForTheTermBeingServed() {
        long term = leadership.begin("pod-1_a");
        leadership.markSynced(term);

        try (TermPermit permit = leadership.enter(term)) {
            assertThat(permit.held()).isTrue();
        }
        try (TermPermit stale = leadership.enter(term - 1)) {
            assertThat(stale.held()).isFalse();
        }
        leadership.end("pod-2_b");
        try (TermPermit lost = leadership.enter(term)) {
            assertThat(lost.held()).isFalse();
        }
    }

    @Test
    void shutdownRefusesVerbsAndWaitsForOpenPermits() throws Exception {
        long term = leadership.begin("pod-1_a");
        leadership.markSynced(term);
        TermPermit writing = leadership.enter(term);

        CompletableFuture<Integer> closing = CompletableFuture.supplyAsync(() -> {
            try {
                return leadership.close(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(2)).until(() -> !leadership.status().leader());
        assertThat(leadership.awaitServing(Duration.ofMinutes(5))).isEqualTo(
                new Admission.Refused("not the leader: this replica (pod-1) is shutting down"));
        assertThat(closing).isNotDone();

        writing.close();
        writing.close();  // idempotent: the count must not go below zero

        assertThat(closing.get()).isZero();
    }

    @Test
    void shutdownGivesUpWaitingAfterTheDrainTime() throws Exception {
        long term = leadership.begin("pod-1_a");
        leadership.markSynced(term);
        leadership.enter(term);

        assertThat(leadership.close(Duration.ofMillis(20))).as("permits still open").isEqualTo(1);
    }

    @Test
    void readinessInLeaderModeIsUpOnlyForTheSyncedLeader() {
        LeadershipReadiness readiness = new LeadershipReadiness(leadership, true);
        assertThat(readiness.health().getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
        assertThat(readiness.health().getDetails()).containsEntry("role", "follower");

        long term = leadership.begin("pod-1_a");
        assertThat(readiness.health().getStatus()).as("leading but not synced").isEqualTo(Status.OUT_OF_SERVICE);
        assertThat(readiness.health().getDetails()).containsEntry("role", "leader-syncing").containsEntry("term", 1L);

        leadership.markSynced(term);
        assertThat(readiness.health().getStatus()).isEqualTo(Status.UP);
        assertThat(readiness.health().getDetails()).containsEntry("role", "leader");

        leadership.end("pod-2_b");
        assertThat(readiness.health().getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
    }

    /** The {@code reason} that {@code /readyz} shows is the text a verb would answer, for each state. */
    @Test
    void readinessSaysWhyTheReplicaDoesNotServe() throws InterruptedException {
        LeadershipReadiness readiness = new LeadershipReadiness(leadership, true);
        assertThat(readiness.health().getDetails()).isEqualTo(Map.of("reason", "not the leader: this replica"
                + " (pod-1) does not hold lease ns/hami-scheduler, nobody does", "role", "follower", "term", 0L,
                "identity", "pod-1", "holder", ""));
        leadership.observe("pod-2_b");
        assertThat(readiness.health().getDetails()).containsEntry("reason", "not the leader: this replica (pod-1)"
                + " does not hold lease ns/hami-scheduler, pod-2_b does");

        long term = leadership.begin("pod-1_a");
        assertThat(readiness.health().getDetails()).containsEntry("reason", "not ready: leadership term 1 of pod-1"
                + " is still rebuilding the cluster state");
        leadership.markSynced(term);
        assertThat(readiness.health().getDetails()).doesNotContainKey("reason");

        assertThat(leadership.close(Duration.ZERO)).isZero();
        Health closed = readiness.health();
        assertThat(closed.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
        assertThat(closed.getDetails()).containsEntry("reason", "not the leader: this replica (pod-1) is shutting"
                + " down");
    }

    @Test
    void readinessInAlwaysModeIsUpForFollowersToo() {
        LeadershipReadiness readiness = new LeadershipReadiness(leadership, false);
        leadership.observe("pod-2_b");

        assertThat(readiness.health().getStatus()).isEqualTo(Status.UP);
        assertThat(readiness.health().getDetails()).containsEntry("role", "follower")
                .containsEntry("holder", "pod-2_b");
    }

    private Admission admit(Duration wait) {
        try {
            return leadership.awaitServing(wait);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
