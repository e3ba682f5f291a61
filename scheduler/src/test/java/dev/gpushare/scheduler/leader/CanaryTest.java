package dev.gpushare.scheduler.leader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gpushare.common.config.DeviceConfig;
import dev.gpushare.common.request.PodRequestParser;
import dev.gpushare.scheduler.embedded.DevicePluginEmulator;
import dev.gpushare.scheduler.embedded.EmbeddedClusterSeeder;
import dev.gpushare.scheduler.lock.NodeLockQueues;
import dev.gpushare.scheduler.lock.NodeLockService;
import dev.gpushare.scheduler.state.ClusterState;
import dev.gpushare.scheduler.support.TestObjects;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The side-by-side canary of {@code docs/operations/migration.md}: two schedulers under different scheduler names
 * (each with its own kube-scheduler profile in a real cluster) on one API place a concurrent burst onto the same
 * nodes. Neither knows the other; each counts the other's pods from their annotations and both take the node lock.
 * The burst asks for exactly the slots, memory and cores there are, so any GPU handed out twice overfills one.
 */
class CanaryTest {

    private static final String WORKLOADS = "canary";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int GPUS = 2;
    private static final int MEMORY = 16000;
    private static final int SLOTS = 4;
    private static final List<String> NODES = List.of("canary-1", "canary-2", "canary-3");
    private static final int PODS = NODES.size() * GPUS * SLOTS;

    private SharedApi api;
    private DevicePluginEmulator devicePlugin;
    private SchedulerReplica ours;
    private SchedulerReplica canary;

    @BeforeEach
    void start() {
        api = SharedApi.start();
        for (String name : NODES) {
            api.client.nodes().resource(EmbeddedClusterSeeder.gpuNode(name, GPUS, "NVIDIA A100", MEMORY, SLOTS))
                    .create();
        }
        devicePlugin = new DevicePluginEmulator(api.client, new NodeLockService(api.client, new NodeLockQueues(),
                Duration.ofMinutes(5), Clock.systemUTC(), new SimpleMeterRegistry()),
                new PodRequestParser(DeviceConfig.defaults()), Duration.ofMillis(20));
        devicePlugin.start();
        // One after the other: Spring Boot's logging set-up is not safe for two applications starting at once.
        ours = SchedulerReplica.start("sched-main", "hami-system", "hami.scheduler-name=hami-scheduler");
        canary = SchedulerReplica.start("sched-canary", "canary-system", "hami.scheduler-name=gpushare-canary",
                "hami.leader-election.lease-name=gpushare-canary");
    }

    @AfterEach
    void stop() {
        ours.close();
        canary.close();
        devicePlugin.close();
        api.close();
    }

    @Test
    void aConcurrentBurstThroughTwoSchedulersNeverOversubscribesAGpu() throws Exception {
        await().atMost(WAIT).until(() -> List.of(ours, canary).stream().allMatch(r -> NODES.stream()
                .allMatch(n -> r.context.getBean(ClusterState.class).snapshotOf(n) != null)));
        List<Pod> pods = IntStream.range(0, PODS).mapToObj(i -> TestObjects.create(api.client,
                schedulerName(TestObjects.gpuPod(WORKLOADS, "burst-" + i, 1, MEMORY / SLOTS, 100 / SLOTS),
                        i % 2 == 0 ? "hami-scheduler" : "gpushare-canary"))).toList();

        ExecutorService kubeSchedulers = Executors.newFixedThreadPool(8);
        List<CompletableFuture<String>> runs = IntStream.range(0, PODS).mapToObj(i -> CompletableFuture.supplyAsync(
                () -> schedule(pods.get(i), i % 2 == 0 ? ours : canary), kubeSchedulers)).toList();
        List<String> nodes = runs.stream().map(CompletableFuture::join).toList();
        kubeSchedulers.shutdown();

        assertThat(nodes).as("every pod bound (there is a slot for each)").doesNotContainNull();
        GpuCapacity.assertWithinCapacity(api.client, pods, NODES, GPUS, MEMORY, SLOTS);
        await().atMost(WAIT).untilAsserted(() -> NODES.forEach(n -> assertThat(TestObjects.nodeLock(api.client, n))
                .as("lock of " + n + " released by the device plugin").isNull()));
        await().atMost(WAIT).untilAsserted(() -> assertThat(pods).allSatisfy(p -> assertThat(
                TestObjects.annotations(api.client, p)).containsEntry("hami.io/bind-phase", "success")));
        // Both ledgers now hold all 24 pods, whoever placed them: neither scheduler finds room for one more.
        for (SchedulerReplica replica : List.of(ours, canary)) {
            Pod extra = TestObjects.create(api.client, TestObjects.gpuPod(WORKLOADS, TestObjects.unique("extra"), 1,
                    1000, null));
            await().atMost(WAIT).untilAsserted(() -> {
                JsonNode filtered = replica.extender.filter(extra, NODES);
                assertThat(filtered.get("NodeNames").isNull()).as(replica.name + " finds no room").isTrue();
                assertThat(filtered.get("FailedNodes").propertyNames()).containsExactlyInAnyOrderElementsOf(NODES);
            });
        }
    }

    /**
     * What one kube-scheduler does for its pod with its extender: filter, then bind; a failed bind or a pod that
     * does not fit yet is filtered again.
     */
    private static String schedule(Pod pod, SchedulerReplica scheduler) {
        for (int attempt = 0; attempt < 200; attempt++) {
            JsonNode filtered = scheduler.extender.filter(pod, NODES);
            if (!filtered.get("Error").asString().isEmpty() || filtered.get("NodeNames").isNull()) {
                continue;
            }
            String node = filtered.get("NodeNames").get(0).asString();
            if (scheduler.extender.bind(pod, node).get("Error").asString().isEmpty()) {
                return node;
            }
        }
        return null;
    }

    private static Pod schedulerName(Pod pod, String schedulerName) {
        return new PodBuilder(pod).editSpec().withSchedulerName(schedulerName).endSpec().build();
    }
}
