package dev.gpushare.scheduler.extender;

import static dev.gpushare.scheduler.support.TestObjects.create;
import static dev.gpushare.scheduler.support.TestObjects.gpuPod;
import static dev.gpushare.scheduler.support.TestObjects.nodeLock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gpushare.common.annotation.AllocationCodec;
import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.common.annotation.NodeRegisterCodec;
import dev.gpushare.common.annotation.NodeRegistration;
import dev.gpushare.common.config.DeviceConfig;
import dev.gpushare.common.seal.PlacementTrust;
import dev.gpushare.common.device.ContainerDevice;
import dev.gpushare.common.device.DeviceInfo;
import dev.gpushare.common.device.PodAllocation;
import dev.gpushare.placement.NodeSnapshotFactory;
import dev.gpushare.scheduler.events.EventRecorder;
import dev.gpushare.scheduler.embedded.EmbeddedClusterSeeder;
import dev.gpushare.scheduler.lock.NodeLockQueues;
import dev.gpushare.scheduler.state.ClusterInformers;
import dev.gpushare.scheduler.state.ClusterState;
import dev.gpushare.scheduler.support.ExtenderClient;
import dev.gpushare.scheduler.support.SchedulerSpringTest;
import dev.gpushare.scheduler.support.LedgerEntries;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * 200 pods filtered and bound from 16 threads onto 10 nodes of 4 GPUs, as kube-scheduler would retry them; then
 * the annotations left in the API are checked GPU by GPU, and a second scheduler instance started on the same API
 * must rebuild exactly the same usage.
 */
@SchedulerSpringTest
class ConcurrentSchedulingTest {

    private static final String NAMESPACE = "burst";
    private static final int NODES = 10;
    private static final int GPUS = 4;
    private static final int MEMORY = 40960;
    private static final int SLOTS = 10;
    private static final int PODS = 200;

    @Autowired
    KubernetesClient client;
    @Autowired
    ExtenderClient extender;
    @Autowired
    ClusterState state;
    @Autowired
    DeviceConfig deviceConfig;
    /** The running service's seal key: the "restarted instance" below shares it, as replicas do. */
    @Autowired
    PlacementTrust trust;

    /** Outcome of one pod's scheduling: bound to a node, or unschedulable everywhere. */
    private record Outcome(Pod pod, String node, JsonNode failedNodes) {
    }

    @Test
    void manyThreadsNeverOvercommitAGpuAndARestartRebuildsTheSameUsage() throws Exception {
        List<String> nodeNames = IntStream.rangeClosed(1, NODES).mapToObj(i -> "burst-node-" + i).toList();
        for (String name : nodeNames) {
            client.nodes().resource(EmbeddedClusterSeeder.gpuNode(name, GPUS, "NVIDIA A100", MEMORY, SLOTS)).create();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> nodeNames.stream().allMatch(n -> state.snapshotOf(n) != null));
        List<Pod> pods = new ArrayList<>();
        for (int i = 0; i < PODS; i++) {
            pods.add(create(client, gpuPod(NAMESPACE, "burst-" + i, i % 5 == 0 ? 2 : 1,
                    1000 + (i * 37 % 9) * 1000, (i * 13 % 4) * 10)));
        }

        ExecutorService threads = Executors.newFixedThreadPool(16);
        List<CompletableFuture<Outcome>> runs = pods.stream()
                .map(pod -> CompletableFuture.supplyAsync(() -> schedule(pod, nodeNames), threads)).toList();
        List<Outcome> outcomes = runs.stream().map(CompletableFuture::join).toList();
        threads.shutdown();

        List<Outcome> bound = outcomes.stream().filter(o -> o.node() != null).toList();
        assertThat(bound).hasSizeGreaterThan(PODS * 3 / 4);
        outcomes.stream().filter(o -> o.node() == null).forEach(o -> assertThat(o.failedNodes().size())
                .as("an unschedulable pod names every node's reasons").isEqualTo(NODES));
        // The emulated device plugins finish every bound pod and release every lock.
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            for (Outcome o : bound) {
                assertThat(annotations(o.pod())).containsEntry(HamiKeys.BIND_PHASE, "success");
            }
            for (String node : nodeNames) {
                assertThat(nodeLock(client, node)).isNull();
            }
        });

        Map<String, DeviceInfo> devices = registeredDevices(nodeNames);
        Map<String, int[]> usage = new HashMap<>();
        for (Outcome o : bound) {
            Pod pod = client.pods().inNamespace(NAMESPACE).withName(o.pod().getMetadata().getName()).get();
            Map<String, String> annotations = pod.getMetadata().getAnnotations();
            assertThat(pod.getSpec().getNodeName()).isEqualTo(o.node()).isEqualTo(annotations.get(HamiKeys.VGPU_NODE));
            PodAllocation allocation = AllocationCodec.decode(annotations.get(HamiKeys.DEVICES_ALLOCATED));
            int wanted = Integer.parseInt(pod.getSpec().getContainers().get(0).getResources().getLimits()
                    .get("nvidia.com/gpu").getAmount());
            assertThat(allocation.containers()).singleElement().satisfies(container -> {
                assertThat(container).hasSize(wanted);
                assertThat(container.stream().map(ContainerDevice::uuid).distinct()).hasSize(wanted);
            });
            for (ContainerDevice d : allocation.devices()) {
                assertThat(gpusOf(o.node())).as("GPUs of the pod's node").contains(d.uuid());
                int[] u = usage.computeIfAbsent(d.uuid(), k -> new int[3]);
                u[0]++;
                u[1] += d.usedmem();
                u[2] += d.usedcores();
            }
            // The ledger counts the pod once, as bound, with exactly the annotated allocation.
            assertThat(LedgerEntries.of(state, pod.getMetadata().getUid())).get().satisfies(entry -> {
                assertThat(entry.bound()).isTrue();
                assertThat(entry.node()).isEqualTo(o.node());
                assertThat(entry.allocation()).isEqualTo(allocation);
            });
        }
        usage.forEach((uuid, u) -> {
            DeviceInfo d = devices.get(uuid);
            assertThat(u[0]).as("tasks on " + uuid).isLessThanOrEqualTo(d.count());
            assertThat(u[1]).as("MiB on " + uuid).isLessThanOrEqualTo(d.devmem());
            assertThat(u[2]).as("cores on " + uuid).isLessThanOrEqualTo(d.devcore());
        });

        assertThat(restartedInstanceEntries()).isEqualTo(entriesOf(state));
    }

    /** What kube-scheduler does for one pod: filter, bind, and on a failed bind filter again (bounded here). */
    private Outcome schedule(Pod pod, List<String> nodeNames) {
        for (int attempt = 0; attempt < 20; attempt++) {
            JsonNode filtered = extender.filter(pod, nodeNames);
            if (!filtered.get("Error").asString().isEmpty()) {
                throw new AssertionError("filter error: " + filtered);
            }
            if (filtered.get("NodeNames").isNull()) {
                return new Outcome(pod, null, filtered.get("FailedNodes"));
            }
            String node = filtered.get("NodeNames").get(0).asString();
            if (extender.bind(pod, node).get("Error").asString().isEmpty()) {
                return new Outcome(pod, node, null);
            }
        }
        throw new AssertionError("pod " + pod.getMetadata().getName() + " never bound");
    }

    private Map<String, String> annotations(Pod pod) {
        return client.pods().inNamespace(NAMESPACE).withName(pod.getMetadata().getName()).get().getMetadata()
                .getAnnotations();
    }

    private Map<String, DeviceInfo> registeredDevices(List<String> nodeNames) throws Exception {
        Map<String, DeviceInfo> devices = new HashMap<>();
        for (String name : nodeNames) {
            Node node = client.nodes().withName(name).get();
            NodeRegistration registration = NodeRegisterCodec.decode(
                    node.getMetadata().getAnnotations().get(HamiKeys.NODE_NVIDIA_REGISTER));
            for (DeviceInfo d : ((NodeRegistration.Registered) registration).devices()) {
                devices.put(d.id(), d);
            }
        }
        return devices;
    }

    private static List<String> gpusOf(String node) {
        return EmbeddedClusterSeeder.devices(node, GPUS, "NVIDIA A100", MEMORY, SLOTS).stream().map(DeviceInfo::id)
                .toList();
    }

    /** A second scheduler instance on the same API: its own informers, its own state, rebuilt from the stores. */
    private Set<String> restartedInstanceEntries() {
        ClusterState fresh = new ClusterState(
                new NodeSnapshotFactory(deviceConfig.nvidia().knownMigGeometries()),
                new ClusterState.Settings("nvidia.com/gpu", "nvidia.com/gpumem", "nvidia.com/gpucores", 1,
                        Duration.ofMinutes(2)), trust, Clock.systemUTC());
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (EventRecorder events = new EventRecorder(client, "test", Clock.systemUTC(), meters,
                new dev.gpushare.scheduler.events.DecisionLog(10))) {
            ClusterInformers informers = new ClusterInformers(client, fresh, new NodeLockQueues(), events,
                    Duration.ofHours(1), Duration.ofMinutes(2), meters,
                    new dev.gpushare.scheduler.health.InformerWatchdog(
                            new dev.gpushare.scheduler.health.ApiReachability(Clock.systemUTC()), Clock.systemUTC()));
            informers.start();
            try {
                await().atMost(Duration.ofSeconds(20)).until(fresh::synced);
                return entriesOf(fresh);
            } finally {
                informers.stop();
            }
        }
    }

    private static Set<String> entriesOf(ClusterState state) {
        return state.entries().stream().filter(e -> NAMESPACE.equals(e.namespace()))
                .map(e -> e.uid() + "@" + e.node() + (e.bound() ? " bound " : " reserved ")
                        + AllocationCodec.encode(e.allocation()))
                .collect(Collectors.toCollection(HashSet::new));
    }
}
