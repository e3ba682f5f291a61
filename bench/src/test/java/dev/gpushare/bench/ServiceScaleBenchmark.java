package dev.gpushare.bench;

import dev.gpushare.common.annotation.AllocationCodec;
import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.common.config.DeviceConfig;
import dev.gpushare.common.device.ContainerDevice;
import dev.gpushare.common.device.DeviceInfo;
import dev.gpushare.common.device.PodAllocation;
import dev.gpushare.common.request.PodRequestParser;
import dev.gpushare.common.seal.PlacementSeal;
import dev.gpushare.common.seal.PlacementTrust;
import dev.gpushare.common.seal.SealKey;
import dev.gpushare.placement.NodeSnapshot;
import dev.gpushare.placement.NodeSnapshotFactory;
import dev.gpushare.placement.PlacementEngine;
import dev.gpushare.placement.PlacementRequest;
import dev.gpushare.placement.PlacementSettings;
import dev.gpushare.scheduler.embedded.EmbeddedClusterSeeder;
import dev.gpushare.scheduler.events.Events;
import dev.gpushare.scheduler.extender.BindService;
import dev.gpushare.scheduler.extender.ExtenderVerbs;
import dev.gpushare.scheduler.extender.FilterService;
import dev.gpushare.scheduler.extender.PendingPods;
import dev.gpushare.scheduler.extender.PlacementWrites;
import dev.gpushare.scheduler.extender.PodWrites;
import dev.gpushare.scheduler.extender.VerbMetrics;
import dev.gpushare.scheduler.leader.LeaderLedger;
import dev.gpushare.scheduler.leader.Leadership;
import dev.gpushare.scheduler.leader.LeadershipCoordinator;
import dev.gpushare.scheduler.leader.SoleReplica;
import dev.gpushare.scheduler.lock.NodeLockQueues;
import dev.gpushare.scheduler.state.ClusterState;
import dev.gpushare.scheduler.state.InformerHandlers;
import dev.gpushare.scheduler.state.InformerLag;
import dev.gpushare.scheduler.state.InformerStores;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeList;
import io.fabric8.kubernetes.api.model.NodeListBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.api.model.PodListBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A load driver for the whole scheduler service at scale, not a test: 5,000 nodes of 8 GPUs and 40,000 running GPU
 * pods are decoded from list JSON (as an informer's first list arrives) and fed through the service's own informer
 * handlers into its {@link ClusterState}; leadership comes from the production coordinator, which rebuilds the
 * state for its term. Then a single scheduling loop sends {@code /filter} bodies with 500 candidate names each
 * through the service's verb pipeline ({@link ExtenderVerbs}: decode, leadership gate, filter, answer) while pods
 * come and go and the reconcile runs every second; a probe thread takes the state's lock every half millisecond and
 * records the longest wait. Excluded: HTTP (the loopback connector) and the API round trip of the placement write,
 * which is pipelined behind the answer as in the service ({@code PlacementWrites}) onto a writer that does nothing.
 *
 * <p>{@code -Dnodes=5000 -Dpods=40000 -Dcandidates=500 -Dfilters=20000 -Dwarmup=3000 -Dchurn=200 -Dseed=42}
 */
public final class ServiceScaleBenchmark {

    private static final int GPUS = 8;
    private static final int SLOTS = 10;
    private static final int MEMORY = 40960;
    private static final String MODEL = "NVIDIA A100-SXM4-40GB";
    private static final KubernetesSerialization JSON = new KubernetesSerialization();

    private final int nodeCount = Integer.getInteger("nodes", 5000);
    private final int podCount = Integer.getInteger("pods", 40000);
    private final int candidates = Math.min(Integer.getInteger("candidates", 500), nodeCount);
    private final int filters = Integer.getInteger("filters", 20000);
    private final int warmup = Integer.getInteger("warmup", 3000);
    private final int churnPerSecond = Integer.getInteger("churn", 200);
    private final long reconcileMillis = Long.getLong("reconcileMs", 1000);
    private final SplittableRandom random = new SplittableRandom(Long.getLong("seed", 42));

    private final Map<String, Node> nodeStore = new ConcurrentHashMap<>();
    private final Map<String, Pod> podStore = new ConcurrentHashMap<>();
    private final List<String> nodeNames = new ArrayList<>();
    private final Map<String, List<DeviceInfo>> devices = new HashMap<>();
    private final AtomicLong sequence = new AtomicLong();
    /** The running pods by store key, for the churn to pick from (only the churn task changes it after start). */
    private final List<String> running = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(System.getProperty("cluster.dir", "target/scale-cluster"));
        if (args.length > 0 && args[0].equals("generate")) {
            new ServiceScaleBenchmark().generate(dir);
            return;
        }
        if (!Files.exists(dir.resolve(PODS_FILE))) {
            // The API's lists are written by another JVM, so this one holds only what an informer would.
            Process generator = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx2g", "-cp", System.getProperty("java.class.path"), "-Dnodes=" + Integer.getInteger("nodes", 5000),
                    "-Dpods=" + Integer.getInteger("pods", 40000), "-Dseed=" + Long.getLong("seed", 42),
                    "-Dcluster.dir=" + dir, ServiceScaleBenchmark.class.getName(), "generate").inheritIO().start();
            if (generator.waitFor() != 0) {
                throw new IllegalStateException("generating the cluster failed");
            }
        }
        new ServiceScaleBenchmark().run(dir);
        System.exit(0);
    }

    private static final String NODES_FILE = "nodes.json";
    private static final String PODS_FILE = "pods.json";

    private void generate(Path dir) throws java.io.IOException {
        Files.createDirectories(dir);
        Files.write(dir.resolve(NODES_FILE), nodeListJson());
        Files.write(dir.resolve(PODS_FILE), podListJson());
    }

    private void run(Path dir) throws Exception {
        System.out.printf(Locale.ROOT, "cluster: %d nodes x %d GPUs, %d running GPU pods; %d candidates per /filter;"
                + " JVM %s, max heap %d MiB%n", nodeCount, GPUS, podCount, candidates,
                System.getProperty("java.version"), Runtime.getRuntime().maxMemory() >> 20);
        for (int n = 0; n < nodeCount; n++) {
            String name = String.format(Locale.ROOT, "gpu-node-%05d", n);
            nodeNames.add(name);
            devices.put(name, EmbeddedClusterSeeder.devices(name, GPUS, MODEL, MEMORY, SLOTS));
        }
        sequence.set(podCount);

        // ---- start to synced -----------------------------------------------------------------------------------
        long start = System.nanoTime();
        ClusterState state = new ClusterState(
                new NodeSnapshotFactory(DeviceConfig.defaults().nvidia().knownMigGeometries()),
                new ClusterState.Settings("nvidia.com/gpu", "nvidia.com/gpumem", "nvidia.com/gpucores", 1,
                        Duration.ofMinutes(2)), TRUST, Clock.systemUTC());
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        InformerHandlers handlers = new InformerHandlers(state, new NodeLockQueues(), NO_EVENTS,
                new InformerLag(meters), meters);
        NodeList nodes;
        PodList pods;
        try (var in = Files.newInputStream(dir.resolve(NODES_FILE))) {
            nodes = JSON.unmarshal(in, NodeList.class);
        }
        try (var in = Files.newInputStream(dir.resolve(PODS_FILE))) {
            pods = JSON.unmarshal(in, PodList.class);
        }
        for (Node node : nodes.getItems()) {
            nodeStore.put(node.getMetadata().getName(), node);
            handlers.nodes().onAdd(node);
        }
        for (Pod pod : pods.getItems()) {
            podStore.put(key(pod), pod);
            running.add(key(pod));
            handlers.pods().onAdd(pod);
        }
        InformerStores stores = stores();
        Leadership leadership = new Leadership("bench", "no lease");
        LeadershipCoordinator coordinator = new LeadershipCoordinator(leadership, new SoleReplica("bench"),
                new StoreLedger(state, stores), null, Clock.systemUTC(),
                new LeadershipCoordinator.Settings(Duration.ofSeconds(30), Duration.ofSeconds(1),
                        Duration.ofMinutes(1)), new SimpleMeterRegistry());
        coordinator.start();
        leadership.awaitServing(Duration.ofMinutes(2));
        double syncedSeconds = (System.nanoTime() - start) / 1e9;
        nodes = null;
        pods = null;
        long heapSynced = heapAfterGc();
        System.out.printf(Locale.ROOT, "synced in %.2f s (decode the lists, feed the informer handlers, rebuild for"
                + " the term); ledger entries %d%n", syncedSeconds, state.entries().size());
        System.out.printf(Locale.ROOT, "heap after full GC: %d MiB (informer stores, state, the driver's node"
                + " names); RSS %d MiB%n", heapSynced >> 20, rssKib() >> 10);

        // ---- the service -------------------------------------------------------------------------------------
        PodRequestParser parser = new PodRequestParser(DeviceConfig.defaults());
        PlacementEngine engine = new PlacementEngine(PlacementSettings.defaults());
        // The placement write is pipelined as in the service, onto a writer that does nothing.
        PlacementWrites placements = new PlacementWrites(PlacementWrites.leaderOnly(NO_WRITES, leadership),
                Clock.systemUTC(), Duration.ofMinutes(2));
        FilterService filter = new FilterService(state, engine, leadership, parser, placements, NO_EVENTS,
                Clock.systemUTC());
        BindService bind = new BindService(state, leadership,
                new BindService.Io(null, null, NO_WRITES, null, placements), parser, NO_EVENTS, Clock.systemUTC(),
                Duration.ofSeconds(20));
        ExtenderVerbs verbs = new ExtenderVerbs(filter, bind, leadership, Duration.ofSeconds(5),
                new VerbMetrics(new SimpleMeterRegistry()), new PendingPods());

        // ---- background: churn, reconcile, lock probe ---------------------------------------------------------
        AtomicBoolean measuring = new AtomicBoolean(true);
        ScheduledExecutorService timers = Executors.newScheduledThreadPool(2);
        List<Long> reconcileNanos = new ArrayList<>();
        AtomicLong repairs = new AtomicLong();
        AtomicLong lockHeldMax = new AtomicLong();
        timers.scheduleWithFixedDelay(() -> {
            long t0 = System.nanoTime();
            ClusterState.Repairs repaired = state.rebuild(stores, false);
            repairs.addAndGet(repaired.total());
            lockHeldMax.accumulateAndGet(repaired.lockHeld().toNanos(), Math::max);
            synchronized (reconcileNanos) {
                reconcileNanos.add(System.nanoTime() - t0);
            }
        }, reconcileMillis, reconcileMillis, TimeUnit.MILLISECONDS);
        SplittableRandom churnRandom = random.split();
        timers.scheduleAtFixedRate(() -> churn(handlers, churnRandom), 0, 1_000_000 / churnPerSecond,
                TimeUnit.MICROSECONDS);
        AtomicLong probeMax = new AtomicLong();
        AtomicLong probes = new AtomicLong();
        Thread probe = new Thread(() -> {
            SplittableRandom probeRandom = new SplittableRandom(7);
            while (measuring.get()) {
                String name = nodeNames.get(probeRandom.nextInt(nodeNames.size()));
                long t0 = System.nanoTime();
                state.snapshotOf(name);
                long took = System.nanoTime() - t0;
                probeMax.accumulateAndGet(took, Math::max);
                probes.incrementAndGet();
                LockSupport.parkNanos(500_000);
            }
        }, "lock-probe");
        probe.setDaemon(true);

        // ---- the scheduling loop -------------------------------------------------------------------------------
        long[] latencies = new long[filters];
        long[] engineOnly = new long[filters];
        int placed = 0;
        for (int i = -warmup; i < filters; i++) {
            if (i == 0) {
                probeMax.set(0);
                probes.set(0);
                repairs.set(0);
                synchronized (reconcileNanos) {
                    reconcileNanos.clear();
                }
                if (!probe.isAlive()) {
                    probe.start();
                }
            }
            Pod pod = pendingPod();
            List<String> names = sample();
            byte[] body = ("{\"Pod\":" + JSON.asJson(pod) + ",\"NodeNames\":" + JSON.asJson(names) + "}")
                    .getBytes(StandardCharsets.UTF_8);
            long t0 = System.nanoTime();
            String answer = verbs.filter(body);
            long took = System.nanoTime() - t0;
            if (answer.contains("\"NodeNames\":[\"")) {
                placed++;
            }
            // The reference in the same run: the engine alone on the same candidates' snapshots.
            List<NodeSnapshot> snapshots = new ArrayList<>(names.size());
            names.forEach(n -> snapshots.add(state.snapshotOf(n)));
            PlacementRequest request = new PlacementRequest(pod.getMetadata().getNamespace(),
                    pod.getMetadata().getName(), parser.parse(pod), Map.of(), null);
            long e0 = System.nanoTime();
            engine.place(request, snapshots);
            long engineTook = System.nanoTime() - e0;
            if (i >= 0) {
                latencies[i] = took;
                engineOnly[i] = engineTook;
            }
            state.removePod(pod);  // the pod leaves again, as if bound elsewhere and deleted
        }
        measuring.set(false);
        timers.shutdownNow();

        Arrays.sort(latencies);
        Arrays.sort(engineOnly);
        List<Long> reconciles;
        synchronized (reconcileNanos) {
            reconciles = List.copyOf(reconcileNanos);
        }
        System.out.printf(Locale.ROOT, "/filter in the service (%d calls after %d warm-up, %d placed): p50 %.0f us,"
                        + " p99 %.0f us, p99.9 %.0f us, max %.0f us%n", filters, warmup, placed,
                pct(latencies, 50), pct(latencies, 99), pct(latencies, 99.9), latencies[filters - 1] / 1e3);
        System.out.printf(Locale.ROOT, "engine alone on the same candidates: p50 %.0f us, p99 %.0f us%n",
                pct(engineOnly, 50), pct(engineOnly, 99));
        System.out.printf(Locale.ROOT, "reconcile: %d runs, %.1f ms mean, %.1f ms max (mostly outside the lock), %d"
                        + " repairs, lock held at most %.2f ms; longest wait for the state's lock (%d probes, any"
                        + " holder: the filters' placements too): %.2f ms%n", reconciles.size(),
                reconciles.stream().mapToLong(Long::longValue).average().orElse(0) / 1e6,
                reconciles.stream().mapToLong(Long::longValue).max().orElse(0) / 1e6, repairs.get(),
                lockHeldMax.get() / 1e6, probes.get(), probeMax.get() / 1e6);
        System.out.printf(Locale.ROOT, "heap after full GC at the end: %d MiB; RSS %d MiB%n", heapAfterGc() >> 20,
                rssKib() >> 10);
        coordinator.stop();
    }

    // ---- the cluster ------------------------------------------------------------------------------------------

    private byte[] nodeListJson() {
        NodeListBuilder list = new NodeListBuilder();
        for (int n = 0; n < nodeCount; n++) {
            String name = String.format(Locale.ROOT, "gpu-node-%05d", n);
            List<DeviceInfo> gpus = EmbeddedClusterSeeder.devices(name, GPUS, MODEL, MEMORY, SLOTS);
            devices.put(name, gpus);
            nodeNames.add(name);
            Node node = EmbeddedClusterSeeder.gpuNode(name, gpus, SLOTS);
            node.getMetadata().setResourceVersion("1");
            list.addToItems(node);
        }
        return JSON.asJson(list.build()).getBytes(StandardCharsets.UTF_8);
    }

    private byte[] podListJson() {
        PodListBuilder list = new PodListBuilder();
        for (int p = 0; p < podCount; p++) {
            list.addToItems(runningPod(random));
        }
        return JSON.asJson(list.build()).getBytes(StandardCharsets.UTF_8);
    }

    /** A running pod holding one GPU slice (2 to 4 GiB, 10 to 20 % cores) on a random node, as HAMi annotates it. */
    private Pod runningPod(SplittableRandom r) {
        String node = nodeNames.get(r.nextInt(nodeNames.size()));
        DeviceInfo gpu = devices.get(node).get(r.nextInt(GPUS));
        int memory = 2048 + 1024 * r.nextInt(3);
        int cores = 10 + 5 * r.nextInt(3);
        String allocation = AllocationCodec.encode(new PodAllocation(List.of(List.of(
                new ContainerDevice(gpu.id(), "NVIDIA", memory, cores)))));
        long id = sequence.incrementAndGet();
        return new PodBuilder().withNewMetadata().withName("running-" + id).withNamespace("work-" + (id % 50))
                .withUid("uid-running-" + id).withResourceVersion("1")
                .withAnnotations(Map.of(HamiKeys.VGPU_NODE, node, HamiKeys.DEVICES_ALLOCATED, allocation,
                        HamiKeys.DEVICES_TO_ALLOCATE, ";", HamiKeys.BIND_PHASE, "success",
                        HamiKeys.PLACEMENT_SEAL, TRUST.seal().seal("uid-running-" + id, node, allocation)))
                .endMetadata()
                .withNewSpec().withNodeName(node).withSchedulerName("hami-scheduler").addNewContainer()
                .withName("c").withImage("cuda").withNewResources().withLimits(gpuLimits(memory, cores))
                .endResources().endContainer().endSpec()
                .withNewStatus().withPhase("Running").endStatus().build();
    }

    private Pod pendingPod() {
        long id = sequence.incrementAndGet();
        return new PodBuilder().withNewMetadata().withName("pending-" + id).withNamespace("burst")
                .withUid("uid-pending-" + id).endMetadata()
                .withNewSpec().withSchedulerName("hami-scheduler").addNewContainer().withName("c").withImage("cuda")
                .withNewResources().withLimits(gpuLimits(2000, 20)).endResources().endContainer().endSpec()
                .withNewStatus().withPhase("Pending").endStatus().build();
    }

    private static Map<String, Quantity> gpuLimits(int memory, int cores) {
        return Map.of("nvidia.com/gpu", new Quantity("1"), "nvidia.com/gpumem", new Quantity(Integer.toString(memory)),
                "nvidia.com/gpucores", new Quantity(Integer.toString(cores)));
    }

    /** {@code candidates} distinct node names, as kube-scheduler sends after its own filters. */
    private List<String> sample() {
        List<String> names = new ArrayList<>(candidates);
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        while (names.size() < candidates) {
            int n = random.nextInt(nodeNames.size());
            if (seen.add(n)) {
                names.add(nodeNames.get(n));
            }
        }
        return names;
    }

    /** One pod finishes and is deleted, a new one starts: store and handlers, as the informer would. */
    private void churn(InformerHandlers handlers, SplittableRandom r) {
        Pod started = runningPod(r);
        podStore.put(key(started), started);
        handlers.pods().onAdd(started);
        int victim = r.nextInt(running.size());
        String key = running.get(victim);
        running.set(victim, key(started));
        Pod gone = podStore.remove(key);
        if (gone != null) {
            handlers.pods().onDelete(gone, false);
        }
    }

    private InformerStores stores() {
        return new InformerStores() {
            @Override
            public Collection<Node> nodes() {
                return List.copyOf(nodeStore.values());
            }

            @Override
            public Collection<Pod> pods() {
                return List.copyOf(podStore.values());
            }

            @Override
            public Collection<ResourceQuota> quotas() {
                return List.of();
            }

            @Override
            public boolean holds(HasMetadata object) {
                return object instanceof Node ? nodeStore.get(object.getMetadata().getName()) == object
                        : object instanceof Pod pod && podStore.get(key(pod)) == pod;
            }

            @Override
            public boolean lacksPod(String namespace, String name, String uid) {
                Pod pod = podStore.get(namespace + "/" + name);
                return pod == null || !uid.equals(pod.getMetadata().getUid());
            }

            @Override
            public boolean lacksNode(String name) {
                return !nodeStore.containsKey(name);
            }
        };
    }

    private static String key(Pod pod) {
        return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    }

    /** The production coordinator's view of the ledger: the stores are synced, a rebuild reads them. */
    private record StoreLedger(ClusterState state, InformerStores stores) implements LeaderLedger {
        @Override
        public boolean catchUp(long term, Duration timeout) {
            return true;
        }

        @Override
        public Rebuilt rebuild() {
            ClusterState.Repairs repairs = state.rebuild(stores, true);
            return new Rebuilt(stores.nodes().size(), stores.pods().size(), state.entries().size(), repairs.total());
        }

        @Override
        public int relinquish() {
            state.markUnsynced();
            return state.dropReservations();
        }
    }

    private static final Events NO_EVENTS = new Events() {
        @Override
        public void onPod(ObjectMeta pod, Type type, String reason, String message) {
        }

        @Override
        public void onNode(ObjectMeta node, Type type, String reason, String message) {
        }
    };

    /** The running pods carry seals, as placed by a replica of ours: the start-up pays for verifying them. */
    private static final PlacementTrust TRUST = new PlacementTrust(new PlacementSeal(SealKey.of(
            "gpushare scale benchmark seal key..".getBytes(StandardCharsets.US_ASCII))),
            PlacementTrust.UnsealedPolicy.none());

    private static final PodWrites NO_WRITES = new PodWrites() {
        @Override
        public void writePlacement(String namespace, String name, String node, String allocation, String seal,
                                   Instant at) {
        }

        @Override
        public void markAllocating(String namespace, String name, Instant at) {
        }

        @Override
        public void clearBindPhase(String namespace, String name) {
        }

        @Override
        public void labelBound(String namespace, String name, String node) {
        }
    };

    private static double pct(long[] sorted, double p) {
        int index = (int) Math.min(sorted.length - 1, Math.ceil(p / 100 * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1e3;
    }

    private static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long rssKib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (java.io.IOException e) {
            return -1;
        }
        return -1;
    }
}
