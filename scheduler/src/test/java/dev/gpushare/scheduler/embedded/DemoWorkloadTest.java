package dev.gpushare.scheduler.embedded;

import dev.gpushare.testkit.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DemoWorkloadTest {

    @Test
    void submitsEveryKindInTurnKeepsAtMostMaxPodsAndDeletesPodsWhoseTimeIsUp() {
        ManualClock clock = new ManualClock(Instant.now());
        try (EmbeddedApiServer api = EmbeddedApiServer.start(new ApiServerDispatcher(), 0);
             KubernetesClient client = api.newClient();
             DemoWorkload demo = new DemoWorkload(client, clock, Duration.ofSeconds(1), Duration.ofSeconds(60), 3,
                     "GPU-0000")) {
            for (int i = 0; i < 4; i++) {
                demo.tick();
            }
            assertThat(names(client)).containsExactly("core-slice-3", "memory-slice-2", "whole-gpu-1");

            Instant created = Instant.parse(client.pods().inNamespace("demo").withName("whole-gpu-1").get()
                    .getMetadata().getCreationTimestamp());
            clock.set(created.plusSeconds(120));
            demo.tick();

            assertThat(names(client)).containsExactly("memory-percentage-4");
        }
    }

    @Test
    void theKindsCoverEveryFeatureOfTheScheduler() {
        List<DemoWorkload.Kind> kinds = DemoWorkload.kinds("GPU-0000");
        assertThat(kinds).extracting(DemoWorkload.Kind::name).containsExactly("whole-gpu", "memory-slice",
                "core-slice", "memory-percentage", "two-gpus", "gpu-type", "gpu-uuid", "spread", "binpack",
                "too-big");
        assertThat(kinds.get(6).annotations()).containsEntry("nvidia.com/use-gpuuuid", "GPU-0000");
        assertThat(kinds.get(7).annotations()).containsEntry("hami.io/gpu-scheduler-policy", "spread");
        assertThat(kinds.get(8).annotations()).containsEntry("hami.io/node-scheduler-policy", "binpack");
        assertThat(kinds.get(2).limits()).containsEntry("nvidia.com/gpucores", "30");
    }

    private static List<String> names(KubernetesClient client) {
        return client.pods().inNamespace("demo").withLabel(DemoWorkload.LABEL, DemoWorkload.LABEL_VALUE).list()
                .getItems().stream().map(Pod::getMetadata).map(m -> m.getName()).sorted().toList();
    }
}
