package dev.gpushare.scheduler.leader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gpushare.common.annotation.AllocationCodec;
import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.common.config.DeviceConfig;
import dev.gpushare.common.request.PodRequestParser;
import dev.gpushare.scheduler.embedded.DevicePluginEmulator;
import dev.gpushare.scheduler.embedded.EmbeddedClusterSeeder;
import dev.gpushare.scheduler.lock.NodeLockQueues;
import dev.gpushare.scheduler.lock.NodeLockService;
import dev.gpushare.scheduler.state.ClusterState;
import dev.gpushare.scheduler.state.PodEntry;
import dev.gpushare.scheduler.support.TestObjects;
import dev.gpushare.scheduler.support.LedgerEntries;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

/**
 * Two scheduler processes ({@code elect} mode, {@code leader} readiness) on one mock API: one leader, readiness and
 * verbs gated on it, and a burst of filters and binds that survives stopping the leader in the middle with no GPU
 * slot handed out twice. The tests run in order on the same pair of replicas; the last one stops the leader.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FailoverTest {

    private static final String SYSTEM = "hami-system";
    private static final String WORKLOADS = "failover";
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int GPUS = 2;
    private static final int MEMORY = 16000;
    private static final int SLOTS = 4;
    private static final List<String> NODES = List.of("fo-node-1", "fo-node-2", "fo-node-3");
    /** Exactly the slots there are: a pod counted twice or forgotten by the ledger overfills a GPU. */
    private static final int PODS = NODES.size() * GPUS * SLOTS;  // the burst and one pod handed over

    private SharedApi api;
    private DevicePluginEmulator devicePlugin;
    private final List<SchedulerReplica> replicas = new ArrayList<>();
    private SchedulerReplica leader;
    private SchedulerReplica follower;

    @BeforeAll
    void start() {
        api = SharedApi.start();
        KubernetesClient client = api.client;
        for (String name : NODES) {
            client.nodes().resource(EmbeddedClusterSeeder.gpuNode(name, GPUS, "NVIDIA A100", MEMORY, SLOTS)).create();
        }
        for (String replica : List.of("sched-a", "sched-b")) {
            client.pods().inNamespace(SYSTEM).resource(schedulerPod(replica)).create();
        }
        devicePlugin = new DevicePluginEmulator(client, new NodeLockService(client, new NodeLockQueues(),
                Duration.ofMinutes(5), Clock.systemUTC(), new SimpleMeterRegistry()),
                new PodRequestParser(DeviceConfig.defaults()), Duration.ofMillis(20));
        devicePlugin.start();
        // A Lease lasts far longer than the test: only a release hands it over, never an expiry, so no step
        // depends on how fast the wall clock runs. Attempts every 200 ms keep the handover short.
        String[] election = {"hami.leader-election.mode=elect", "hami.leader-election.lease-duration=10m",
                "hami.leader-election.renew-deadline=9m", "hami.leader-election.retry-period=200ms"};
        // One after the other: Spring Boot's logging set-up is not safe for two applications starting at once.
        replicas.add(SchedulerReplica.start("sched-a", SYSTEM, election));
        replicas.add(SchedulerReplica.start("sched-b", SYSTEM, election));
    }

    @AfterAll
    void stop() {
        replicas.stream().filter(r -> r.context.isActive()).forEach(SchedulerReplica::close);
        if (devicePlugin != null) {
            devicePlugin.close();
        }
        api.close();
    }

    @Test
    @Order(1)
    void exactlyOneReplicaLeadsAndOnlyItIsReadyOnBothListeners() {
        await().atMost(WAIT).until(() -> replicas.stream().anyMatch(SchedulerReplica::serving));
        leader = replicas.stream().filter(SchedulerReplica::serving).findFirst().orElseThrow();
        follower = replicas.stream().filter(r -> r != leader).findFirst().orElseThrow();
        // The follower has read the Lease its peer holds; that Lease stays valid for the rest of the test.
        await().atMost(WAIT).until(() -> follower.leadership().status().holder().equals(leaderHolder()));
        assertThat(follower.leadership().status().leader()).isFalse();
        assertThat(leader.leadership().status()).isEqualTo(new Leadership.Status(true, 1, true, leaderHolder()));

        assertThat(leader.readyz()).containsExactly(200, 200);
        assertThat(follower.readyz()).containsExactly(503, 503);
        assertThat(leader.healthz()).containsExactly(200, 200);
        assertThat(follower.healthz()).as("liveness does not depend on leadership").containsExactly(200, 200);
        // Each process annotated its own pod when its term began (the catch-up marker); only the leader has a term.
        assertThat(TestObjects.annotations(api.client, scheduler(leader.name)))
                .containsKey(HamiKeys.SCHEDULER_TERM);
        assertThat(TestObjects.annotations(api.client, scheduler(follower.name)))
                .doesNotContainKey(HamiKeys.SCHEDULER_TERM);
    }

    @Test
    @Order(2)
    void theFollowerRefusesBothVerbsAndTheFilterOnlyAfterItsBoundedWait() {
        Pod pod = TestObjects.create(api.client, TestObjects.gpuPod(WORKLOADS, "refused", 1, 1000, null));
        await().atMost(WAIT).until(() -> follower.context.getBean(ClusterState.class).snapshotOf(NODES.get(0)) != null);

        JsonNode filtered = follower.extender.filter(pod, NODES);
        assertThat(filtered.get("Error").asString()).isEqualTo("not the leader: this replica (" + follower.name + ") does not hold lease hami-system/hami-scheduler, " + leaderHolder() + " does (waited 1000ms)");
        assertThat(filtered.get("NodeNames").isNull()).isTrue();

        JsonNode bound = follower.extender.bind(pod, NODES.get(0));
        assertThat(bound.get("Error").asString()).as("a bind is refused without waiting").isEqualTo(
                "not the leader: this replica (" + follower.name + ") does not hold lease hami-system/hami-scheduler, " + leaderHolder() + " does");
        assertThat(TestObjects.annotations(api.client, pod)).doesNotContainKey(HamiKeys.VGPU_NODE);
        assertThat(TestObjects.get(api.client, pod).getSpec().getNodeName()).isNull();
        api.client.pods().inNamespace(WORKLOADS).withName("refused").delete();
    }

    @Test
    @Order(3)
    void aBurstOfBindsAcrossAFailoverLeavesNoGpuSlotHandedOutTwice() throws Exception {
        await().atMost(WAIT).until(() -> replicas.stream().allMatch(r -> NODES.stream()
                .allMatch(n -> r.context.getBean(ClusterState.class).snapshotOf(n) != null)));
        // Filtered by the leader, bound only after the failover: the survivor takes over its sealed placement.
        Pod handover = TestObjects.create(api.client, TestObjects.gpuPod(WORKLOADS, "handover", 1, 2000, null));
        String handoverNode = leader.extender.filter(handover, NODES).get("NodeNames").get(0).asString();
        await().atMost(WAIT).until(() -> TestObjects.annotations(api.client, handover)
                .containsKey(HamiKeys.PLACEMENT_SEAL));
        List<Pod> burst = IntStream.range(1, PODS).mapToObj(i -> TestObjects.create(api.client,
                TestObjects.gpuPod(WORKLOADS, "burst-" + i, 1, 2000 + (i * 7 % 5) * 500, (i % 3) * 10))).toList();
        List<Pod> pods = java.util.stream.Stream.concat(burst.stream(), java.util.stream.Stream.of(handover))
                .toList();
        CountDownLatch someBound = new CountDownLatch(PODS / 3);
        AtomicInteger boundBySurvivor = new AtomicInteger();

        ExecutorService schedulers = Executors.newFixedThreadPool(6);
        List<CompletableFuture<String>> runs = burst.stream().map(pod -> CompletableFuture.supplyAsync(() -> {
            SchedulerReplica by = scheduleOnTheLeader(pod);
            someBound.countDown();
            if (by == follower) {
                boundBySurvivor.incrementAndGet();
            }
            return TestObjects.get(api.client, pod).getSpec().getNodeName();
        }, schedulers)).toList();

        assertThat(someBound.await(1, TimeUnit.MINUTES)).isTrue();
        String oldHolder = leaderHolder();
        CompletableFuture<Void> stopping = CompletableFuture.runAsync(leader::close);
        // Handover: the lease is released on shutdown; the survivor takes it at its next attempt, catches up and
        // rebuilds. The Lease would not expire for minutes, so a takeover now shows the release.
        await().atMost(WAIT).until(follower::serving);
        stopping.get(1, TimeUnit.MINUTES);
        var lease = api.client.leases().inNamespace(SYSTEM).withName("hami-scheduler").get().getSpec();
        assertThat(lease.getHolderIdentity()).isEqualTo(follower.leadership().status().holder())
                .startsWith(follower.name + "_").isNotEqualTo(oldHolder);
        assertThat(lease.getLeaseTransitions()).as("taken over once, from the released Lease").isEqualTo(1);
        List<String> nodes = runs.stream().map(CompletableFuture::join).toList();
        schedulers.shutdown();

        assertThat(follower.extender.bind(handover, handoverNode).get("Error").asString())
                .as("the old leader's sealed placement is the survivor's too").isEmpty();
        assertThat(nodes).as("every pod bound (there is a slot for each)").doesNotContainNull();
        assertThat(boundBySurvivor).as("the new leader placed pods after the failover").hasPositiveValue();
        assertThat(follower.readyz()).containsExactly(200, 200);
        GpuCapacity.assertWithinCapacity(api.client, pods, NODES, GPUS, MEMORY, SLOTS);
        await().atMost(WAIT).untilAsserted(() -> NODES.forEach(n -> assertThat(TestObjects.nodeLock(api.client, n))
                .as("lock of " + n + " released by the device plugin").isNull()));

        // The survivor's ledger holds every pod exactly as annotated, so nothing fits any more.
        ClusterState state = follower.context.getBean(ClusterState.class);
        await().atMost(WAIT).untilAsserted(() -> {
            for (Pod pod : pods) {
                Pod now = TestObjects.get(api.client, pod);
                PodEntry entry = LedgerEntries.of(state, now.getMetadata().getUid()).orElseThrow();
                assertThat(entry.bound()).isTrue();
                assertThat(entry.node()).isEqualTo(now.getSpec().getNodeName());
                assertThat(entry.allocation()).isEqualTo(AllocationCodec.decode(
                        now.getMetadata().getAnnotations().get(HamiKeys.DEVICES_ALLOCATED)));
            }
        });
        Pod extra = TestObjects.create(api.client, TestObjects.gpuPod(WORKLOADS, "one-too-many", 1, 1000, null));
        JsonNode filtered = follower.extender.filter(extra, NODES);
        assertThat(filtered.get("Error").asString()).isEmpty();
        assertThat(filtered.get("NodeNames").isNull()).isTrue();
        assertThat(filtered.get("FailedNodes").propertyNames()).containsExactlyInAnyOrderElementsOf(NODES);
    }

    /**
     * What the two kube-schedulers do together: the leading one filters and binds the pod through its own extender;
     * a failed bind (or a verb cut off by the failover) is retried from the filter.
     */
    private SchedulerReplica scheduleOnTheLeader(Pod pod) {
        for (int attempt = 0; attempt < 50; attempt++) {
            await().atMost(WAIT).until(() -> replicas.stream().anyMatch(SchedulerReplica::serving));
            SchedulerReplica current = replicas.stream().filter(SchedulerReplica::serving).findFirst().orElse(null);
            if (current == null) {
                continue;
            }
            try {
                JsonNode filtered = current.extender.filter(pod, NODES);
                if (!filtered.get("Error").asString().isEmpty() || filtered.get("NodeNames").isNull()) {
                    continue;
                }
                String node = filtered.get("NodeNames").get(0).asString();
                if (current.extender.bind(pod, node).get("Error").asString().isEmpty()) {
                    return current;
                }
            } catch (IllegalStateException | AssertionError e) {
                // The replica went away in the middle of the call: kube-scheduler retries the pod.
            }
        }
        throw new AssertionError("pod " + pod.getMetadata().getName() + " never bound");
    }

    /** The holder the Lease names, which must be the leader's. */
    private String leaderHolder() {
        String holder = api.client.leases().inNamespace(SYSTEM).withName("hami-scheduler").get().getSpec()
                .getHolderIdentity();
        assertThat(holder).startsWith(leader.name + "_");
        return holder;
    }

    private static Pod scheduler(String name) {
        return new PodBuilder().withNewMetadata().withNamespace(SYSTEM).withName(name).endMetadata().build();
    }

    private static Pod schedulerPod(String name) {
        return new PodBuilder().withNewMetadata().withNamespace(SYSTEM).withName(name)
                .addToLabels("app.kubernetes.io/component", "hami-scheduler").endMetadata()
                .withNewSpec().addNewContainer().withName("extender").withImage("gpushare").endContainer().endSpec()
                .build();
    }
}
