package dev.gpushare.scheduler.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.scheduler.config.HamiProperties;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The embedded cluster's nodes look exactly as a v2.8 device plugin leaves them. */
class EmbeddedClusterSeederTest {

    @Test
    void nodesAreRegisteredAsHamisDevicePluginRegistersThem() {
        try (EmbeddedApiServer api = EmbeddedApiServer.start(new ApiServerDispatcher(), 0);
             KubernetesClient client = api.newClient()) {
            new EmbeddedClusterSeeder(client, new HamiProperties.Embedded(2, "seed-", 2, "NVIDIA-Tesla T4", 15360,
                    10, new HamiProperties.DevicePlugin(false, Duration.ZERO), new HamiProperties.EmbeddedApi(0, ""),
                    new HamiProperties.Scheduling(false, Duration.ofSeconds(1), Duration.ofSeconds(10),
                            Duration.ofMinutes(5)),
                    new HamiProperties.Demo(false, Duration.ofSeconds(1), Duration.ZERO, 1))).afterPropertiesSet();

            List<Node> nodes = client.nodes().list().getItems();
            assertThat(nodes).extracting(n -> n.getMetadata().getName()).containsExactlyInAnyOrder("seed-1", "seed-2");
            Node node = client.nodes().withName("seed-1").get();
            String first = EmbeddedClusterSeeder.devices("seed-1", 2, "NVIDIA-Tesla T4", 15360, 10).get(0).id();
            String second = EmbeddedClusterSeeder.devices("seed-1", 2, "NVIDIA-Tesla T4", 15360, 10).get(1).id();
            assertThat(node.getMetadata().getAnnotations().get(HamiKeys.NODE_NVIDIA_REGISTER)).isEqualTo("[{\"id\":\""
                    + first + "\",\"count\":10,\"devmem\":15360,\"devcore\":100,\"type\":\"NVIDIA-Tesla T4\","
                    + "\"mode\":\"hami-core\",\"health\":true,\"devicepairscore\":{}},{\"id\":\"" + second
                    + "\",\"index\":1,\"count\":10,\"devmem\":15360,\"devcore\":100,\"type\":\"NVIDIA-Tesla T4\","
                    + "\"mode\":\"hami-core\",\"health\":true,\"devicepairscore\":{}}]");
            assertThat(node.getStatus().getAllocatable().get("nvidia.com/gpu").toString()).isEqualTo("20");
        }
    }
}
