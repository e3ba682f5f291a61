package dev.gpushare.scheduler.leader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.scheduler.lock.NodeLockQueues;
import dev.gpushare.scheduler.support.TestObjects;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * SIGTERM (the context closing, as Spring's shutdown hook does) while 20 binds wait for a node lock that another pod
 * holds, with {@code hami.bind.lock-wait} at its maximum: every bind is answered at once, the replica writes no
 * node lock afterwards, and it has stopped well inside kube's 30 s grace period.
 */
class ShutdownTest {

    private static final String NS = "shutdown";
    private static final String NODE = "shutdown-node";
    private static final int BINDS = 20;

    @Test
    void wakesAndAnswersWaitingBindsAndWritesNoLockAfterLeadershipEnds() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(BINDS);
        try (SharedApi api = SharedApi.start()) {
            String held = HeldNodeLock.create(api.client, NS, NODE, BINDS + 1);
            SchedulerReplica replica = SchedulerReplica.start("sched-stop", NS, "hami.leader-election.mode=none",
                    "hami.bind.lock-wait=28s");
            await().atMost(Duration.ofSeconds(60)).until(replica::serving);

            List<Pod> pods = new ArrayList<>();
            for (int i = 0; i < BINDS; i++) {
                Pod pod = TestObjects.create(api.client, TestObjects.gpuPod(NS, "waiting-" + i, 1, 1000, null));
                assertThat(replica.extender.filter(pod, List.of(NODE)).at("/NodeNames/0").asString())
                        .isEqualTo(NODE);
                pods.add(pod);
            }
            List<CompletableFuture<Answer>> binds = new ArrayList<>();
            for (Pod pod : pods) {
                binds.add(CompletableFuture.supplyAsync(() -> {
                    JsonNode answer = replica.extender.bind(pod, NODE);
                    return new Answer(answer.path("Error").asString(""), System.nanoTime());
                }, threads));
            }
            NodeLockQueues queues = replica.context.getBean(NodeLockQueues.class);
            await().atMost(Duration.ofSeconds(60)).until(() -> queues.waiting() == BINDS);
            String versionBefore = api.client.nodes().withName(NODE).get().getMetadata().getResourceVersion();

            long stopping = System.nanoTime();
            replica.close();
            long stopped = System.nanoTime();

            for (CompletableFuture<Answer> bind : binds) {
                Answer answer = bind.get();
                assertThat(answer.error()).isEqualTo("not the leader: leadership ended (lost, or this replica is"
                        + " shutting down) while the bind waited for the node lock");
                assertThat(Duration.ofNanos(answer.at() - stopping)).isLessThan(Duration.ofSeconds(1));
            }
            assertThat(Duration.ofNanos(stopped - stopping)).isLessThan(Duration.ofSeconds(5));
            Node after = api.client.nodes().withName(NODE).get();
            assertThat(after.getMetadata().getAnnotations()).containsEntry(HamiKeys.NODE_LOCK, held);
            assertThat(after.getMetadata().getResourceVersion()).isEqualTo(versionBefore);
        } finally {
            threads.shutdownNow();
        }
    }

    private record Answer(String error, long at) {
    }
}
