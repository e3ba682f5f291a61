package dev.gpushare.scheduler.bench;

import dev.gpushare.common.annotation.AllocationCodec;
import dev.gpushare.common.annotation.BindPhase;
import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.common.annotation.MalformedAnnotationException;
import dev.gpushare.common.annotation.NodeRegisterCodec;
import dev.gpushare.common.annotation.NodeRegistration;
import dev.gpushare.common.device.ContainerDevice;
import dev.gpushare.common.device.DeviceInfo;
import dev.gpushare.scheduler.SchedulerApplication;
import dev.gpushare.scheduler.embedded.EmbeddedClusterSeeder;
import dev.gpushare.scheduler.embedded.TestApiServerDispatcher;
import dev.gpushare.scheduler.leader.Admission;
import dev.gpushare.scheduler.leader.Leadership;
import dev.gpushare.scheduler.leader.LeadershipCoordinator;
import dev.gpushare.scheduler.listener.ExtenderListener;
import dev.gpushare.scheduler.state.ClusterState;
import dev.gpushare.scheduler.support.TestApiConfiguration;
import dev.gpushare.scheduler.support.TestObjects;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The soak of issue 12: randomized concurrent {@code /filter} and {@code /bind} calls from many threads against the
 * whole service on the embedded API with the device-plugin emulator. Pods come and go (a bound pod is deleted as its
 * workload ends, so the GPUs turn over and most pods get bound), binds are duplicated (the same bind sent twice at
 * once) and retried (a pod already bound), API faults are injected (409 on node patches, 500 on pod patches and
 * Bindings, 409 on Bindings, failed watches that make the informers re-list, slow answers; the emulated device
 * plugin meets them too), and the leadership changes once in the middle (the term ends and a new one rebuilds the
 * ledger).
 *
 * <p>Afterwards, from the API objects alone: no GPU over its slots, memory or cores; no pod with two placements; no
 * live pod left {@code allocating}; every node lock left is one the service's own rules clear (its pod is gone, or
 * its device plugin never finished and the lock expires after {@code hami.node-lock.expire}), never one of a pod
 * that our bind left behind. Then the soak fast-forwards the service's clock past the expiry, and one probe pod per
 * locked node must bind at once and leave no lock. Seeded: the same seed makes the same choices (the thread
 * interleaving differs).
 */
public final class SoakRun {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String NAMESPACE = "soak";
    private static final Duration LOCK_EXPIRE = Duration.ofMinutes(5);

    /** @param operations {@code /filter} and {@code /bind} calls to make in total */
    public record Settings(long seed, int operations, int threads, int nodes) {
    }

    /**
     * @param podsCreated   pods the soak created (each filtered up to three times)
     * @param podsBound     of those, pods whose bind answered success
     * @param bindsOk       {@code /bind} calls answered with success (duplicates and retries included)
     * @param locksAtQuiet  the node locks left once the load stopped, by why they are left
     * @param probes        probe binds after the fast-forward, one per node that still had a lock
     */
    public record Result(Settings settings, int filters, int binds, int bindsOk, int duplicateBinds,
                         int retriedBinds, int podsCreated, int podsBound, int faults, int leaderChanges,
                         int deleted, int boundAtEnd, long wallMillis, Map<String, Integer> locksAtQuiet,
                         int probes, List<String> violations) {
    }

    /** The service's clock: the system's, shifted forward on demand (the soak's fast-forward past lock expiry). */
    static final class ShiftedClock extends Clock {
        private volatile Duration shift = Duration.ZERO;

        void forward(Duration by) {
            shift = shift.plus(by);
        }

        @Override
        public Instant instant() {
            return Instant.now().plus(shift);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    private SoakRun() {
    }

    public static Result run(Settings settings) throws Exception {
        ShiftedClock clock = new ShiftedClock();
        try (ConfigurableApplicationContext app = new SpringApplicationBuilder(SchedulerApplication.class,
                TestApiConfiguration.class)
                // The primary Clock: every part of the service that takes one reads the soak's.
                .initializers(context -> ((GenericApplicationContext) context).registerBean("soakClock",
                        Clock.class, () -> clock, definition -> definition.setPrimary(true)))
                // Command-line arguments: application.yaml would win over default properties (its port 9395).
                .run("--hami.extender.port=0", "--hami.webhook.port=0", "--management.server.port=0",
                        "--hami.embedded.nodes=0", "--hami.embedded.device-plugin.allocation-delay=5ms",
                        "--hami.embedded.api.port=0", "--hami.embedded.api.kubeconfig=",
                        "--hami.embedded.scheduling.enabled=false",
                        "--hami.bind.lock-wait=3s", "--hami.reconcile.interval=10s",
                        "--hami.node-lock.expire=" + LOCK_EXPIRE.toMinutes() + "m",
                        "--spring.main.allow-bean-definition-overriding=true",
                        "--logging.level.root=ERROR", "--logging.level.dev.gpushare=ERROR")) {
            return new Soak(settings, app, clock).run();
        }
    }

    private static final class Soak {
        private final Settings settings;
        private final KubernetesClient client;
        private final TestApiServerDispatcher api;
        private final LeadershipCoordinator coordinator;
        private final Leadership leadership;
        private final ClusterState state;
        private final ShiftedClock clock;
        private final String base;
        private final List<String> nodes = new ArrayList<>();
        private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        private final AtomicInteger operations = new AtomicInteger();
        private final AtomicInteger filters = new AtomicInteger();
        private final AtomicInteger binds = new AtomicInteger();
        private final AtomicInteger bindsOk = new AtomicInteger();
        private final AtomicInteger duplicates = new AtomicInteger();
        private final AtomicInteger retries = new AtomicInteger();
        private final AtomicInteger created = new AtomicInteger();
        private final AtomicInteger podsBound = new AtomicInteger();
        private final AtomicInteger faults = new AtomicInteger();
        private final AtomicInteger deleted = new AtomicInteger();
        private final AtomicInteger leaderChanges = new AtomicInteger();
        private final AtomicBoolean leaderChanged = new AtomicBoolean();
        private final ConcurrentLinkedQueue<Pod> bound = new ConcurrentLinkedQueue<>();

        Soak(Settings settings, ConfigurableApplicationContext app, ShiftedClock clock) {
            this.settings = settings;
            this.client = app.getBean(KubernetesClient.class);
            this.api = app.getBean(TestApiServerDispatcher.class);
            this.coordinator = app.getBean(LeadershipCoordinator.class);
            this.leadership = app.getBean(Leadership.class);
            this.state = app.getBean(ClusterState.class);
            this.clock = clock;
            this.base = "http://127.0.0.1:" + app.getBean(ExtenderListener.class).port();
            for (int i = 1; i <= settings.nodes(); i++) {
                String name = "soak-node-" + i;
                client.nodes().resource(EmbeddedClusterSeeder.gpuNode(name, 4, "NVIDIA T4", 15360, 10)).create();
                nodes.add(name);
            }
            Awaitility.await().atMost(Duration.ofSeconds(60))
                    .until(() -> nodes.stream().allMatch(n -> state.snapshotOf(n) != null));
        }

        Result run() throws Exception {
            awaitServing();
            long start = System.nanoTime();
            ExecutorService workers = Executors.newFixedThreadPool(settings.threads() * 2);
            List<Future<?>> loops = new ArrayList<>();
            for (int t = 0; t < settings.threads(); t++) {
                Random random = new Random(settings.seed() * 31 + t);
                loops.add(workers.submit(() -> {
                    while (operations.get() < settings.operations()) {
                        step(random, workers);
                    }
                    return null;
                }));
            }
            for (Future<?> loop : loops) {
                loop.get();
            }
            workers.shutdown();
            api.clearFaults();
            long wall = (System.nanoTime() - start) / 1_000_000;

            List<String> violations = new ArrayList<>();
            // Quiet: the emulated device plugin finishes (or fails) every hand-over it was given.
            try {
                Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                        .until(() -> allocating().isEmpty() && locks().values().stream()
                                .noneMatch(lock -> lock.startsWith(LockLeft.IN_HAND_OVER.name())));
            } catch (ConditionTimeoutException e) {
                // Reported below.
            }
            allocating().forEach(p -> violations.add("pod left allocating: " + p));
            violations.addAll(overcommitAndDoublePlacements());
            Map<String, String> left = locks();
            Map<String, Integer> byKind = new TreeMap<>();
            left.forEach((node, lock) -> {
                String kind = lock.substring(0, lock.indexOf(' '));
                byKind.merge(kind, 1, Integer::sum);
                if (!kind.equals(LockLeft.OWNER_GONE.name()) && !kind.equals(LockLeft.PLUGIN_NEVER_FINISHED.name())) {
                    violations.add("node lock left on " + node + ": " + lock);
                }
            });
            int bound = boundPods();
            int probes = fastForwardAndProbe(left.keySet(), violations);
            return new Result(settings, filters.get(), binds.get(), bindsOk.get(), duplicates.get(), retries.get(),
                    created.get(), podsBound.get(), faults.get(), leaderChanges.get(), deleted.get(), bound, wall,
                    byKind, probes, violations);
        }

        /** Until a term leads with a synced ledger (the one starting after the leadership change). */
        private void awaitNewTerm() {
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                    .until(() -> leadership.status().leader() && leadership.status().synced());
        }

        private void awaitServing() throws InterruptedException {
            if (!(leadership.awaitServing(Duration.ofSeconds(60)) instanceof Admission.Serving)) {
                throw new IllegalStateException("the scheduler did not become a synced leader");
            }
        }

        private void step(Random random, ExecutorService workers) throws Exception {
            if (!leaderChanged.get() && operations.get() >= settings.operations() / 2
                    && leaderChanged.compareAndSet(false, true)) {
                coordinator.stop();  // the term ends: verbs refused, reservations dropped
                coordinator.start();  // a new term rebuilds the ledger from the informer stores
                leaderChanges.incrementAndGet();
                awaitNewTerm();
            }
            int dice = random.nextInt(100);
            if (dice < 20) {
                // A workload ends: its pod goes, its GPUs turn over.
                Pod victim = bound.poll();
                if (victim != null) {
                    client.pods().inNamespace(NAMESPACE).withName(victim.getMetadata().getName()).delete();
                    deleted.incrementAndGet();
                    return;
                }
            }
            if (dice < 28) {
                Pod again = bound.peek();
                if (again != null) {
                    retries.incrementAndGet();
                    bind(again, again.getSpec() == null || again.getSpec().getNodeName() == null
                            ? nodes.get(0) : again.getSpec().getNodeName());
                    return;
                }
            }
            injectFault(random);
            Pod pod = TestObjects.create(client, TestObjects.gpuPod(NAMESPACE, "soak-" + created.incrementAndGet(),
                    1 + random.nextInt(2), 1000 + 1000 * random.nextInt(12), random.nextInt(7) * 10));
            for (int attempt = 0; attempt < 3 && operations.get() < settings.operations(); attempt++) {
                JsonNode filtered = post("/filter", filterArgs(pod, random));
                filters.incrementAndGet();
                if (filtered.get("Error").asString().startsWith("not the leader")) {
                    awaitNewTerm();  // kube-scheduler keeps the pod and tries it again under the next leader
                    continue;
                }
                JsonNode names = filtered.get("NodeNames");
                if (names == null || names.isNull() || names.isEmpty()) {
                    return;
                }
                String node = names.get(0).asString();
                if (random.nextInt(10) == 0) {
                    injectFault(random);
                }
                boolean ok;
                if (random.nextInt(5) == 0) {
                    duplicates.incrementAndGet();
                    CompletableFuture<Boolean> twin = CompletableFuture.supplyAsync(() -> bind(pod, node), workers);
                    ok = bind(pod, node) | twin.get();
                } else {
                    ok = bind(pod, node);
                }
                if (ok) {
                    podsBound.incrementAndGet();
                    Pod now = client.pods().inNamespace(NAMESPACE).withName(pod.getMetadata().getName()).get();
                    if (now != null) {
                        bound.add(now);
                    }
                    return;
                }
            }
        }

        private void injectFault(Random random) {
            if (random.nextInt(4) != 0) {
                return;
            }
            faults.incrementAndGet();
            switch (random.nextInt(6)) {
                case 0 -> api.fail("PATCH", "/api/v1/nodes/soak-node-\\d+$", 409, 1);
                case 1 -> api.fail("PATCH", "/api/v1/namespaces/" + NAMESPACE + "/pods/soak-\\d+$", 500, 1);
                case 2 -> api.fail("POST", "/pods/soak-\\d+/binding$", 500, 1);
                case 3 -> api.fail("POST", "/pods/soak-\\d+/binding$", 409, 1);
                case 4 -> api.fail("GET", "watch=true", 500, 1);
                default -> api.slow("GET", "/api/v1/", Duration.ofMillis(50), 3);
            }
        }

        private Map<String, Object> filterArgs(Pod pod, Random random) {
            List<String> candidates = new ArrayList<>(nodes);
            Collections.shuffle(candidates, random);
            return filterArgs(pod, candidates);
        }

        private static Map<String, Object> filterArgs(Pod pod, List<String> candidates) {
            Map<String, Object> args = new LinkedHashMap<>();
            args.put("Pod", JSON.readTree(Serialization.asJson(pod)));
            args.put("Nodes", null);
            args.put("NodeNames", candidates);
            return args;
        }

        private boolean bind(Pod pod, String node) {
            Map<String, Object> args = new LinkedHashMap<>();
            args.put("PodName", pod.getMetadata().getName());
            args.put("PodNamespace", pod.getMetadata().getNamespace());
            args.put("PodUID", pod.getMetadata().getUid());
            args.put("Node", node);
            binds.incrementAndGet();
            try {
                boolean ok = post("/bind", args).get("Error").asString().isEmpty();
                if (ok) {
                    bindsOk.incrementAndGet();
                }
                return ok;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        private JsonNode post(String path, Object body) throws Exception {
            operations.incrementAndGet();
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + path))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(path + " answered HTTP " + response.statusCode());
            }
            return JSON.readTree(response.body());
        }

        /**
         * Past the lock expiry, nothing may still block a node: every pod is deleted (the workloads are over), the
         * clock jumps ahead, and one small probe pod per node that had a lock left is filtered onto it and bound; it
         * must bind at once, and once the emulated plugin is done no lock may be left anywhere.
         */
        private int fastForwardAndProbe(java.util.Set<String> locked, List<String> violations)
                throws Exception {
            if (locked.isEmpty()) {
                return 0;
            }
            client.pods().inNamespace(NAMESPACE).delete();
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> client.pods().inNamespace(NAMESPACE).list().getItems().isEmpty());
            // Past the lock expiry, and so past every reservation's too: the ledger must hold nothing any more.
            clock.forward(LOCK_EXPIRE.plusSeconds(1));
            try {
                Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                        .until(() -> state.entries().isEmpty());
            } catch (ConditionTimeoutException e) {
                violations.add("the ledger still holds entries of deleted pods: " + state.entries());
            }
            int probes = 0;
            for (String node : locked) {
                probes++;
                Pod probe = TestObjects.create(client, TestObjects.gpuPod(NAMESPACE, "probe-" + node, 1, 100, 0));
                JsonNode filtered = post("/filter", filterArgs(probe, List.of(node)));
                JsonNode names = filtered.get("NodeNames");
                if (names == null || names.isNull() || names.isEmpty()) {
                    violations.add("probe on " + node + " not placed: " + filtered);
                    continue;
                }
                Map<String, Object> args = new LinkedHashMap<>();
                args.put("PodName", probe.getMetadata().getName());
                args.put("PodNamespace", NAMESPACE);
                args.put("PodUID", probe.getMetadata().getUid());
                args.put("Node", node);
                String error = post("/bind", args).get("Error").asString();
                if (!error.isEmpty()) {
                    violations.add("probe bind on " + node + " after the lock expiry failed: " + error);
                }
            }
            try {
                Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                        .until(() -> locks().isEmpty());
            } catch (ConditionTimeoutException e) {
                locks().forEach((node, lock) -> violations.add("node lock left after the expiry on " + node + ": "
                        + lock));
            }
            return probes;
        }

        /** Why a lock is left, from its owner pod as the API has it. */
        private enum LockLeft {
            /** The pod was deleted before its device plugin came: the next bind heals it at once. */
            OWNER_GONE,
            /** The owner is allocating: the plugin is still at it (or never finishes: then it expires). */
            IN_HAND_OVER,
            /** The owner's allocation failed or succeeded but the plugin's release did not land: it expires. */
            PLUGIN_NEVER_FINISHED,
            /** The owner was never handed over (no bind-phase): a lock our bind left behind. */
            LEFT_BY_BIND
        }

        /** Node to its lock, prefixed with {@link LockLeft} and followed by what the owner pod looks like. */
        private Map<String, String> locks() {
            Map<String, String> locks = new TreeMap<>();
            for (Node node : client.nodes().list().getItems()) {
                String lock = node.getMetadata().getAnnotations() == null ? null
                        : node.getMetadata().getAnnotations().get(HamiKeys.NODE_LOCK);
                if (lock != null) {
                    locks.put(node.getMetadata().getName(), describe(lock));
                }
            }
            return locks;
        }

        private String describe(String lock) {
            String[] parts = lock.split(",");
            Pod owner = parts.length == 3 ? client.pods().inNamespace(parts[1]).withName(parts[2]).get() : null;
            if (owner == null) {
                return LockLeft.OWNER_GONE + " " + lock;
            }
            Map<String, String> annotations = owner.getMetadata().getAnnotations();
            String phase = annotations == null ? null : annotations.get(HamiKeys.BIND_PHASE);
            LockLeft kind = phase == null ? LockLeft.LEFT_BY_BIND
                    : BindPhase.ALLOCATING.value().equals(phase) ? LockLeft.IN_HAND_OVER
                    : LockLeft.PLUGIN_NEVER_FINISHED;
            return kind + " " + lock + " (owner bound to " + owner.getSpec().getNodeName() + ", bind-phase " + phase
                    + ")";
        }

        /** Live pods (not finished) still {@code allocating}. */
        private List<String> allocating() {
            return client.pods().inNamespace(NAMESPACE).list().getItems().stream()
                    .filter(p -> p.getStatus() == null || !List.of("Succeeded", "Failed")
                            .contains(p.getStatus().getPhase()))
                    .filter(p -> p.getMetadata().getAnnotations() != null && BindPhase.ALLOCATING.value()
                            .equals(p.getMetadata().getAnnotations().get(HamiKeys.BIND_PHASE)))
                    .map(p -> p.getMetadata().getName()).toList();
        }

        private int boundPods() {
            return (int) client.pods().inNamespace(NAMESPACE).list().getItems().stream()
                    .filter(p -> p.getSpec().getNodeName() != null).count();
        }

        /** From the API objects alone: every bound pod's allocation on its node's registered GPUs. */
        private List<String> overcommitAndDoublePlacements() throws MalformedAnnotationException {
            List<String> violations = new ArrayList<>();
            Map<String, DeviceInfo> gpus = new HashMap<>();
            Map<String, String> gpuNode = new HashMap<>();
            for (Node node : client.nodes().list().getItems()) {
                String register = node.getMetadata().getAnnotations().get(HamiKeys.NODE_NVIDIA_REGISTER);
                if (NodeRegisterCodec.decode(register) instanceof NodeRegistration.Registered registered) {
                    for (DeviceInfo d : registered.devices()) {
                        gpus.put(d.id(), d);
                        gpuNode.put(d.id(), node.getMetadata().getName());
                    }
                }
            }
            Map<String, int[]> used = new HashMap<>();
            for (Pod pod : client.pods().inNamespace(NAMESPACE).list().getItems()) {
                Map<String, String> annotations = pod.getMetadata().getAnnotations();
                String boundTo = pod.getSpec().getNodeName();
                if (boundTo == null || annotations == null || !annotations.containsKey(HamiKeys.DEVICES_ALLOCATED)) {
                    continue;
                }
                String name = pod.getMetadata().getName();
                if (!boundTo.equals(annotations.get(HamiKeys.VGPU_NODE))
                        || !boundTo.equals(pod.getMetadata().getLabels().get(HamiKeys.VGPU_NODE))) {
                    violations.add("pod " + name + " bound to " + boundTo + " but placed on "
                            + annotations.get(HamiKeys.VGPU_NODE));
                }
                for (ContainerDevice d : AllocationCodec.decode(annotations.get(HamiKeys.DEVICES_ALLOCATED))
                        .devices()) {
                    if (!boundTo.equals(gpuNode.get(d.uuid()))) {
                        violations.add("pod " + name + " on " + boundTo + " holds GPU " + d.uuid() + " of node "
                                + gpuNode.get(d.uuid()));
                    }
                    int[] u = used.computeIfAbsent(d.uuid(), k -> new int[3]);
                    u[0]++;
                    u[1] += d.usedmem();
                    u[2] += d.usedcores();
                }
            }
            used.forEach((uuid, u) -> {
                DeviceInfo d = gpus.get(uuid);
                if (d != null && (u[0] > d.count() || u[1] > d.devmem() || u[2] > d.devcore())) {
                    violations.add("GPU " + uuid + " holds " + u[0] + "/" + d.count() + " tasks, " + u[1] + "/"
                            + d.devmem() + " MiB, " + u[2] + "/" + d.devcore() + " % cores");
                }
            });
            return violations;
        }
    }
}
