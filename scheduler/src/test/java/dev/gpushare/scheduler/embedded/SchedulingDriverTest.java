package dev.gpushare.scheduler.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gpushare.common.annotation.HamiKeys;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The examples applied as a user applies them, scheduled by the built-in driver through the real listeners
 * (webhook on create, then {@code /filter} and {@code /bind}), on the two seeded nodes of four A100-40GB.
 */
@PlaygroundTest
class SchedulingDriverTest {

    private static final String NAMESPACE = "driver";
    private static final String NODE_1_GPU_0 = EmbeddedClusterSeeder.devices("gpu-node-1", 4,
            "NVIDIA A100-SXM4-40GB", 40960, 10).get(0).id();

    @Autowired
    KubernetesClient client;

    @AfterEach
    void deletePods() {
        client.pods().inNamespace(NAMESPACE).delete();
        await().atMost(Duration.ofSeconds(30)).until(() -> client.pods().inNamespace(NAMESPACE).list().getItems()
                .isEmpty());
    }

    @Test
    void everyExampleThatFitsIsBoundWithItsAllocationAndRunning() {
        List<String> fitting = Examples.names().stream().filter(n -> !n.equals("too-big")).toList();
        assertThat(fitting).contains("whole-gpu", "memory-slice", "memory-percentage", "core-slice", "two-gpus",
                "gpu-type", "gpu-uuid", "spread", "binpack");
        fitting.forEach(name -> Examples.create(client, NAMESPACE, name));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> fitting.forEach(name ->
                assertThat(pod(name).getStatus().getPhase()).as(name).isEqualTo("Running")));

        for (String name : fitting) {
            Pod pod = pod(name);
            Map<String, String> annotations = Examples.annotations(pod);
            assertThat(pod.getSpec().getSchedulerName()).as("the webhook moved %s to our scheduler", name)
                    .isEqualTo("hami-scheduler");
            assertThat(annotations.get(HamiKeys.VGPU_NODE)).as(name).isEqualTo(pod.getSpec().getNodeName());
            assertThat(annotations.get(HamiKeys.BIND_PHASE)).as(name).isEqualTo("success");
            assertThat(condition(pod, "PodScheduled")).map(PodCondition::getStatus).as(name).contains("True");
        }
        assertThat(allocated("whole-gpu")).matches("GPU-[0-9a-f-]{36},NVIDIA,40960,100:;");
        assertThat(allocated("memory-slice")).matches("GPU-[0-9a-f-]{36},NVIDIA,10000,0:;");
        assertThat(allocated("memory-percentage")).matches("GPU-[0-9a-f-]{36},NVIDIA,10240,0:;");
        assertThat(allocated("core-slice")).matches("GPU-[0-9a-f-]{36},NVIDIA,4000,30:;");
        assertThat(allocated("two-gpus"))
                .matches("(GPU-[0-9a-f-]{36}),NVIDIA,8000,0:(?!\\1)GPU-[0-9a-f-]{36},NVIDIA,8000,0:;");
        assertThat(allocated("gpu-uuid")).isEqualTo(NODE_1_GPU_0 + ",NVIDIA,2000,0:;");
        assertThat(pod("gpu-uuid").getSpec().getNodeName()).isEqualTo("gpu-node-1");
        assertThat(events("whole-gpu")).extracting(Event::getReason).contains("Scheduled");
    }

    @Test
    void aPodThatFitsNowhereStaysPendingWithTheReasonInItsConditionAndAnEvent() {
        Examples.create(client, NAMESPACE, "too-big");

        String reason = "0/2 nodes are available: 2 4/4 CardInsufficientMemory.";
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(condition(pod("too-big"), "PodScheduled"))
                    .map(c -> List.of(c.getStatus(), c.getReason(), c.getMessage()))
                    .contains(List.of("False", "Unschedulable", reason));
        });
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(events("too-big"))
                .filteredOn(e -> e.getReason().equals("FailedScheduling"))
                .extracting(Event::getType, Event::getMessage).contains(org.assertj.core.groups.Tuple.tuple(
                        "Warning", reason)));
        Pod pod = pod("too-big");
        assertThat(pod.getSpec().getNodeName()).isNull();
        assertThat(pod.getStatus().getPhase()).isEqualTo("Pending");
    }

    @Test
    void aPodThatFitsOnceAnotherIsDeletedIsBoundWithoutARestart() {
        for (int i = 0; i < 4; i++) {
            create(onNode2("filler-" + i, 40960));
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (int i = 0; i < 4; i++) {
                assertThat(pod("filler-" + i).getSpec().getNodeName()).isEqualTo("gpu-node-2");
            }
        });
        create(onNode2("waiter", 20000));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(condition(pod("waiter"),
                "PodScheduled").map(PodCondition::getMessage)).contains("0/2 nodes are available: 1 4/4"
                + " CardInsufficientMemory, 1 node(s) didn't match Pod's node affinity/selector."));

        client.pods().inNamespace(NAMESPACE).withName("filler-2").delete();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Pod waiter = pod("waiter");
            assertThat(waiter.getSpec().getNodeName()).isEqualTo("gpu-node-2");
            assertThat(condition(waiter, "PodScheduled")).map(PodCondition::getStatus).contains("True");
        });
        assertThat(allocated("waiter")).matches("GPU-[0-9a-f-]{36},NVIDIA,20000,0:;");
    }

    private Pod onNode2(String name, int memory) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(NAMESPACE).endMetadata()
                .withNewSpec().withNodeSelector(Map.of("kubernetes.io/hostname", "gpu-node-2"))
                .addNewContainer().withName("cuda").withImage("cuda")
                .withNewResources().withLimits(Map.of("nvidia.com/gpu", new Quantity("1"),
                        "nvidia.com/gpumem", new Quantity(Integer.toString(memory)))).endResources()
                .endContainer().endSpec().build();
    }

    private void create(Pod pod) {
        client.pods().inNamespace(NAMESPACE).resource(pod).create();
    }

    private Pod pod(String name) {
        return client.pods().inNamespace(NAMESPACE).withName(name).get();
    }

    private String allocated(String name) {
        return Examples.annotations(pod(name)).get(HamiKeys.DEVICES_ALLOCATED);
    }

    private List<Event> events(String pod) {
        return client.v1().events().inNamespace(NAMESPACE).withField("involvedObject.name", pod).list().getItems();
    }

    private static Optional<PodCondition> condition(Pod pod, String type) {
        return pod.getStatus() == null || pod.getStatus().getConditions() == null ? Optional.empty()
                : pod.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
    }
}
