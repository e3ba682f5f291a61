package dev.gpushare.scheduler.state;

import static dev.gpushare.scheduler.support.TestObjects.create;
import static dev.gpushare.scheduler.support.TestObjects.gpuPod;
import static dev.gpushare.scheduler.support.TestObjects.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gpushare.scheduler.embedded.EmbeddedClusterSeeder;
import dev.gpushare.scheduler.support.ExtenderClient;
import dev.gpushare.scheduler.support.SchedulerSpringTest;
import dev.gpushare.scheduler.support.LedgerEntries;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The periodic reconcile repairs drift from the informer store and counts what it repaired. */
@SchedulerSpringTest
class ReconcileTest {

    @Autowired
    KubernetesClient client;
    @Autowired
    ExtenderClient extender;
    @Autowired
    ClusterState state;
    @Autowired
    ClusterInformers informers;
    @Autowired
    MeterRegistry meters;

    @Test
    void driftIsRepairedFromTheStoreAndCounted() {
        String node = unique("drift");
        client.nodes().resource(EmbeddedClusterSeeder.gpuNode(node, 1, "NVIDIA T4", 15360, 4)).create();
        await().atMost(Duration.ofSeconds(10)).until(() -> state.snapshotOf(node) != null);
        Pod pod = create(client, gpuPod("drift", unique("pod"), 1, 2000, null));
        assertThat(extender.filter(pod, List.of(node)).get("NodeNames").toString()).contains(node);
        assertThat(extender.bind(pod, node).get("Error").asString()).isEmpty();
        String uid = pod.getMetadata().getUid();
        await().atMost(Duration.ofSeconds(10)).until(() -> LedgerEntries.of(state, uid).map(PodEntry::bound).orElse(false));
        double before = meters.counter("gpushare_ledger_repairs", "kind", "pods").count();

        state.removePod(pod);  // a missed event: the ledger forgets a pod that still holds a GPU
        informers.reconcile();

        assertThat(LedgerEntries.of(state, uid)).get().satisfies(e -> assertThat(e.bound()).isTrue());
        assertThat(meters.counter("gpushare_ledger_repairs", "kind", "pods").count()).isEqualTo(before + 1);
        informers.reconcile();
        assertThat(meters.counter("gpushare_ledger_repairs", "kind", "pods").count()).isEqualTo(before + 1);
        assertThat(meters.timer("gpushare_ledger_rebuild_duration", "trigger", "reconcile").count())
                .isGreaterThanOrEqualTo(2);
        // Every rebuild reports how long it held the lock, however little: the pause the verbs could see.
        assertThat(meters.timer("gpushare_ledger_rebuild_lock_held").count())
                .isEqualTo(meters.find("gpushare_ledger_rebuild_duration").timers().stream()
                        .mapToLong(timer -> timer.count()).sum());
    }
}
