package dev.gpushare.scheduler.metrics;

import static dev.gpushare.scheduler.support.TestObjects.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gpushare.scheduler.embedded.EmbeddedClusterSeeder;
import dev.gpushare.scheduler.support.PrometheusScrape;
import dev.gpushare.scheduler.support.SchedulerSpringTest;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;

/** {@code /metrics} with the defaults: HAMi's v2.10 names only. */
@SchedulerSpringTest
class MetricsExpositionTest {

    @Autowired
    KubernetesClient client;
    @LocalManagementPort
    int managementPort;

    @Test
    void withoutTheLegacySwitchOnlyTheV210NamesAreServed() {
        String node = unique("exposition");
        client.nodes().resource(EmbeddedClusterSeeder.gpuNode(node, 1, "NVIDIA A100-SXM4-40GB", 40960, 10)).create();

        await().atMost(Duration.ofSeconds(10)).until(() -> PrometheusScrape.of(managementPort)
                .samples("hami_gpu_memory_limit_bytes").stream().anyMatch(s -> node.equals(s.labels().get("node"))));

        PrometheusScrape scrape = PrometheusScrape.of(managementPort);
        assertThat(scrape.families()).containsKeys("hami_gpu_memory_limit_bytes", "hami_gpu_shared_count",
                "hami_node_gpu_overview", "hami_build_info", "gpushare_leader");
        assertThat(scrape.families().keySet()).doesNotContainAnyElementsOf(List.of("GPUDeviceMemoryLimit",
                "GPUDeviceCoreLimit", "GPUDeviceMemoryAllocated", "GPUDeviceSharedNum", "GPUDeviceCoreAllocated",
                "nodeGPUOverview", "nodeGPUMemoryPercentage", "QuotaUsed", "hami_leader", "hami_leader_term"));
    }
}
