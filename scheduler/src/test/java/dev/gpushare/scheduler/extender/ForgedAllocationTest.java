package dev.gpushare.scheduler.extender;

import static dev.gpushare.scheduler.support.TestObjects.create;
import static dev.gpushare.scheduler.support.TestObjects.gpuPod;
import static dev.gpushare.scheduler.support.TestObjects.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.scheduler.embedded.EmbeddedClusterSeeder;
import dev.gpushare.scheduler.state.ClusterState;
import dev.gpushare.scheduler.support.ExtenderClient;
import dev.gpushare.scheduler.support.LedgerEntries;
import dev.gpushare.scheduler.support.SchedulerSpringTest;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Item 4 of issue 12 end to end: a pod created straight through the API (no webhook) with {@code spec.nodeName} and
 * HAMi's placement annotations claiming every GPU of a node is not counted, and real pods are still placed there.
 */
@SchedulerSpringTest
class ForgedAllocationTest {

    @Autowired
    KubernetesClient client;
    @Autowired
    ExtenderClient extender;
    @Autowired
    ClusterState state;
    @Autowired
    MeterRegistry meters;

    private double ignored(String reason) {
        return meters.get("gpushare_ledger_ignored_allocations").tag("reason", reason).counter().count();
    }

    @Test
    void aForgedPodClaimingEveryGpuOfANodeIsNotCountedAndRealPodsStillFit() {
        String node = unique("forge-node");
        client.nodes().resource(EmbeddedClusterSeeder.gpuNode(node, 2, "NVIDIA T4", 15360, 4)).create();
        await().atMost(Duration.ofSeconds(10)).until(() -> state.snapshotOf(node) != null);
        String everyGpu = EmbeddedClusterSeeder.devices(node, 2, "NVIDIA T4", 15360, 4).stream()
                .map(d -> d.id() + ",NVIDIA,15360,100").collect(Collectors.joining(":", "", ":;"));
        double before = ignored("unsealed");
        Pod forged = gpuPod("forge", unique("forged"), 2, 15360, 100);
        forged.getSpec().setNodeName(node);
        forged.getMetadata().setAnnotations(Map.of(HamiKeys.VGPU_NODE, node, HamiKeys.DEVICES_ALLOCATED, everyGpu,
                HamiKeys.DEVICES_TO_ALLOCATE, ";", HamiKeys.BIND_PHASE, "success"));
        forged = create(client, forged);
        String uid = forged.getMetadata().getUid();
        String name = forged.getMetadata().getName();

        await().atMost(Duration.ofSeconds(10)).until(() -> ignored("unsealed") == before + 1);
        assertThat(LedgerEntries.of(state, uid)).isEmpty();
        Pod real = create(client, gpuPod("forge", unique("real"), 1, 8000, 50));
        assertThat(extender.filter(real, List.of(node)).get("NodeNames").toString())
                .isEqualTo("[\"" + node + "\"]");
        assertThat(extender.bind(real, node).get("Error").asString()).as("the check under the node lock skips it")
                .isEmpty();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(warnings(name)).containsExactly(
                "AllocationIgnored: allocation not counted: it carries no gpushare.dev/placement-seal (not placed"
                        + " by this scheduler)"));

        // Touching the pod again (as any update or resync does) reports nothing more: a second forged pod, seen
        // after that update by the same informer, is the only new one counted.
        client.pods().inNamespace("forge").withName(name).edit(p -> {
            p.getMetadata().setLabels(Map.of("touched", "yes"));
            return p;
        });
        Pod second = gpuPod("forge", unique("forged"), 1, 1000, 0);
        second.getSpec().setNodeName(node);
        second.getMetadata().setAnnotations(Map.of(HamiKeys.VGPU_NODE, node, HamiKeys.DEVICES_ALLOCATED,
                everyGpu.substring(0, everyGpu.indexOf(':')) + ":;"));
        create(client, second);
        await().atMost(Duration.ofSeconds(10)).until(() -> ignored("unsealed") >= before + 2);
        assertThat(ignored("unsealed")).isEqualTo(before + 2);
        assertThat(warnings(name)).hasSize(1);
    }

    private List<String> warnings(String pod) {
        return client.v1().events().inNamespace("forge").list().getItems().stream()
                .filter(e -> pod.equals(e.getInvolvedObject().getName()) && "Warning".equals(e.getType()))
                .map((Event e) -> e.getReason() + ": " + e.getMessage()).toList();
    }
}
