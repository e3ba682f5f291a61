package dev.gpushare.bench.load;

import dev.gpushare.bench.load.ExtenderSchedulingLoop.FilterAnswer;
import dev.gpushare.common.annotation.BindPhase;
import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.common.config.DeviceConfig;
import dev.gpushare.common.request.PodRequestParser;
import dev.gpushare.scheduler.embedded.DevicePluginEmulator;
import dev.gpushare.scheduler.embedded.EmbeddedApiServer;
import dev.gpushare.scheduler.embedded.EmbeddedClusterSeeder;
import dev.gpushare.scheduler.kube.KubernetesClients;
import dev.gpushare.scheduler.lock.NodeLockQueues;
import dev.gpushare.scheduler.lock.NodeLockService;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * A burst of GPU pods scheduled the way kube-scheduler (v1.19 defaults) does it with an extender, against the
 * service in a process of its own ({@link ServiceProcess}, cluster mode) on this driver's embedded API server, with
 * HAMi's device plugin emulated at a given allocation time. Each suite runs its scenarios one after another against
 * the same API server and service, the no-op reference first, so ratios come from one run; each scenario has a
 * namespace and nodes of its own.
 *
 * <p>kube-scheduler as modelled ({@link ExtenderSchedulingLoop}): one scheduling loop calls {@code /filter} pod after
 * pod, each bind runs on its own thread, a pod that failed is retried after 1 s doubling to 10 s
 * ({@code podInitialBackoffSeconds} / {@code podMaxBackoffSeconds}), and its pod informer re-queues a pod on every
 * update that is not annotation-only. Its own writes go through client-go token buckets of 50 QPS / burst 100
 * ({@code clientConnection} defaults of {@code KubeSchedulerConfiguration} v1beta1): the scheduler client for Bindings
 * it makes itself and status updates of pods that failed, and a second one of the same size for events. The
 * emulated device plugin has its own client and learns everything through the API, as the real one does.
 *
 * <p>Usage: {@code BurstDriver [suite ...]} with suites {@code nodes40} (400 pods of 1 GPU, 3000 MiB, 20 % onto 40
 * nodes of 4 T4s, device plugin 50 ms; no-op, spread, binpack) and {@code node1} (40 pods of 1 GPU, 1000 MiB onto one
 * node of 4 GPUs x 10 slots, device plugin 500 ms; no-op, binpack); default both. {@code --pods N} scales the first
 * suite, {@code --warmup-pods N} sizes the discarded warm-up runs (default 400; {@code --no-warmup}: none),
 * {@code --service-cpus LIST} and {@code --driver-cpus LIST} bind the service's and this driver's processes to CPUs
 * ({@code taskset} lists), and {@code -Dservice.jvm="..."} replaces the service's JVM options (default: the chart's).
 */
public final class BurstDriver {

    private static final String SCHEDULER_NAME = "hami-scheduler";

    enum Kind { NOOP, OURS }

    record Scenario(String name, Kind kind, String policy, int pods, int nodes, int gpus, String model, int memoryMib,
                    int split, int podMemory, Integer podCores, Duration pluginDelay) {

        Scenario with(Kind kind, String policy) {
            return new Scenario(kind == Kind.NOOP ? "no-op extender" : "gpushare " + policy, kind, policy, pods, nodes,
                    gpus, model, memoryMib, split, podMemory, podCores, pluginDelay);
        }

        Scenario scaled(int pods) {
            return new Scenario(name, kind, policy, pods, nodes, gpus, model, memoryMib, split, podMemory, podCores,
                    pluginDelay);
        }

        String load() {
            return String.format(Locale.ROOT, "%d pods (1 GPU, %d MiB%s) onto %d nodes of %d x %s (%d MiB, %d slots),"
                    + " device plugin %d ms", pods, podMemory, podCores == null ? "" : ", " + podCores + " %",
                    nodes, gpus, model, memoryMib, split, pluginDelay.toMillis());
        }
    }

    record Result(Scenario scenario, double wallSeconds, double allocatedSeconds, double[] timeToBound,
                  long filterCalls, long skipped, int failedFilters, int failedBinds, double[] filterMillis,
                  Map<String, Long> writes, double[] apiRoundTripMillis, Map<String, Integer> failures,
                  String inService) {

        double podsPerSecond() {
            return scenario.pods() / wallSeconds;
        }

        double writesPerPod(String writer) {
            return writes.entrySet().stream().filter(e -> e.getKey().startsWith(writer + " ")
                            && !e.getKey().endsWith(" event"))
                    .mapToLong(Map.Entry::getValue).sum() / (double) scenario.pods();
        }

        double eventsPerPod(String writer) {
            return writes.getOrDefault(writer + " event", 0L) / (double) scenario.pods();
        }

        double readsPerPod(String writer) {
            return writes.getOrDefault(ApiWrites.READS + writer, 0L) / (double) scenario.pods();
        }
    }

    private BurstDriver() {
    }

    public static void main(String[] args) throws Exception {
        List<String> suites = new ArrayList<>();
        int pods = 400;
        int warmupPods = 400;
        String serviceCpus = null;
        String driverCpus = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--pods" -> pods = Integer.parseInt(args[++i]);
                case "--no-warmup" -> warmupPods = 0;
                case "--warmup-pods" -> warmupPods = Integer.parseInt(args[++i]);
                case "--service-cpus" -> serviceCpus = args[++i];
                case "--driver-cpus" -> driverCpus = args[++i];
                default -> suites.add(args[i]);
            }
        }
        if (suites.isEmpty()) {
            suites = List.of("nodes40", "node1");
        }
        if (driverCpus != null) {
            // Every thread of this JVM, and every thread they start from now on.
            pin(driverCpus, ProcessHandle.current().pid());
        }
        Scenario nodes40 = new Scenario("", Kind.OURS, "binpack", pods, 40, 4, "NVIDIA Tesla T4", 15360, 10, 3000,
                20, Duration.ofMillis(50));
        Scenario node1 = new Scenario("", Kind.OURS, "binpack", 40, 1, 4, "NVIDIA A100-SXM4-40GB", 40960, 10, 1000,
                null, Duration.ofMillis(500));
        ApiWrites writes = new ApiWrites();
        List<String> serviceJvm = serviceJvm();
        try (EmbeddedApiServer api = EmbeddedApiServer.start(writes, 0);
             ServiceProcess service = ServiceProcess.start(api.url(), serviceJvm, serviceCpus,
                     Path.of(System.getProperty("burst.dir", "target/burst")));
             KubernetesClient setup = client(api, ApiWrites.SETUP);
             KubernetesClient kubeScheduler = client(api, ApiWrites.KUBE_SCHEDULER);
             KubernetesClient plugin = client(api, ApiWrites.DEVICE_PLUGIN)) {
            Harness harness = new Harness(writes, service, setup, kubeScheduler, plugin, new AtomicInteger());
            System.out.printf(Locale.ROOT, "service pid %d on CPUs %s, %s; driver on CPUs %s%n", service.pid(),
                    serviceCpus == null ? "all" : serviceCpus, String.join(" ", serviceJvm),
                    driverCpus == null ? "all" : driverCpus);
            if (warmupPods > 0) {
                // Both policies, so every code path the suites take has been compiled before they are measured.
                run(harness, nodes40.with(Kind.OURS, "spread").scaled(warmupPods));
                run(harness, nodes40.with(Kind.OURS, "binpack").scaled(warmupPods));
                run(harness, nodes40.with(Kind.NOOP, "").scaled(warmupPods));
            }
            for (String suite : suites) {
                Scenario base = switch (suite) {
                    case "nodes40" -> nodes40;
                    case "node1" -> node1;
                    default -> throw new IllegalArgumentException("unknown suite " + suite + " (nodes40, node1)");
                };
                List<Result> results = new ArrayList<>();
                results.add(run(harness, base.with(Kind.NOOP, "")));
                if (suite.equals("nodes40")) {
                    results.add(run(harness, base.with(Kind.OURS, "spread")));
                }
                results.add(run(harness, base.with(Kind.OURS, "binpack")));
                print(base, results);
            }
        }
        System.exit(0);
    }

    /** The API, its request counts, the one service process and the clients of the others, for a whole run. */
    private record Harness(ApiWrites writes, ServiceProcess service, KubernetesClient setup,
                           KubernetesClient kubeScheduler, KubernetesClient plugin, AtomicInteger scenarios) {
    }

    /**
     * The chart's JVM options of the extender ({@code scheduler.extender.javaOpts}) in its 1 GiB memory limit
     * ({@code -XX:MaxRAM} stands in for the container's limit), or {@code -Dservice.jvm}.
     */
    private static List<String> serviceJvm() {
        String options = System.getProperty("service.jvm", "").isBlank()
                ? "-XX:MaxRAM=1g -XX:+UseParallelGC -Xmn128m -XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
                : System.getProperty("service.jvm");
        return List.of(options.trim().split("\\s+"));
    }

    private static void pin(String cpus, long pid) throws IOException, InterruptedException {
        Process taskset = new ProcessBuilder("taskset", "-a", "-p", "-c", cpus, Long.toString(pid))
                .redirectErrorStream(true).start();
        String output = new String(taskset.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (taskset.waitFor() != 0) {
            throw new IllegalStateException("taskset -a -p -c " + cpus + " " + pid + " failed: " + output);
        }
    }

    /**
     * One scenario in a namespace and on nodes of its own, so the service carries nothing of the scenarios before
     * it but its warmed-up JIT; its pods and nodes are deleted afterwards.
     */
    static Result run(Harness harness, Scenario scenario) throws Exception {
        int index = harness.scenarios().incrementAndGet();
        String namespace = "burst-" + index;
        List<String> nodeNames = IntStream.rangeClosed(1, scenario.nodes())
                .mapToObj(i -> "s" + index + "-gpu-node-" + i).toList();
        KubernetesClient setup = harness.setup();
        for (String node : nodeNames) {
            setup.nodes().resource(EmbeddedClusterSeeder.gpuNode(node, scenario.gpus(), scenario.model(),
                    scenario.memoryMib(), scenario.split())).create();
        }
        for (int i = 0; i < scenario.pods(); i++) {
            setup.pods().inNamespace(namespace).resource(pod(namespace, "burst-" + i, scenario)).create();
        }
        awaitNodesSeen(harness.service(), nodeNames, scenario.nodes() * scenario.gpus());
        DevicePluginEmulator emulator = null;
        if (scenario.kind() == Kind.OURS) {
            // Its own lock service and queues: it tells the scheduler nothing except through the API.
            emulator = new DevicePluginEmulator(harness.plugin(), new NodeLockService(harness.plugin(),
                    new NodeLockQueues(), Duration.ofMinutes(5), Clock.systemUTC(), new SimpleMeterRegistry()),
                    new PodRequestParser(DeviceConfig.defaults()), scenario.pluginDelay(), scenario.nodes());
            emulator.start();
        }
        double[] roundTrip = calibrate(setup, "round-trip-" + index);
        FilterHistogram before = FilterHistogram.parse(harness.service().scrape());
        harness.writes().drain();
        try {
            return drive(scenario, harness, namespace, nodeNames, roundTrip, before);
        } finally {
            if (emulator != null) {
                emulator.close();
            }
            setup.pods().inNamespace(namespace).delete();
            for (String node : nodeNames) {
                setup.nodes().withName(node).delete();
            }
        }
    }

    /** Until the service's ledger holds every GPU of the scenario's nodes, as its HAMi series show them. */
    private static void awaitNodesSeen(ServiceProcess service, List<String> nodeNames, int gpus) throws Exception {
        String prefix = "hami_node_gpu_overview{";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Set<String> wanted = Set.copyOf(nodeNames);
        while (true) {
            long seen = service.scrape().lines().filter(line -> line.startsWith(prefix))
                    .filter(line -> PrometheusText.label(line, "node").filter(wanted::contains).isPresent()).count();
            if (seen == gpus) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the service shows " + seen + " of " + gpus + " GPUs after 60 s");
            }
            // The informer's events are in another process; its scrape is the only signal this driver has.
            TimeUnit.MILLISECONDS.sleep(50);
        }
    }

    private static Result drive(Scenario scenario, Harness harness, String namespace, List<String> nodeNames,
                                double[] roundTrip, FilterHistogram before) throws Exception {
        KubernetesClient kubeScheduler = harness.kubeScheduler();
        TokenBucket schedulerClient = new TokenBucket(50, 100);
        TokenBucket eventClient = new TokenBucket(50, 100);
        ExecutorService eventBroadcaster = Executors.newSingleThreadExecutor();
        Map<String, Long> boundAt = new ConcurrentHashMap<>();
        Map<String, Long> allocatedAt = new ConcurrentHashMap<>();
        List<Long> filterNanos = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicInteger failedFilters = new AtomicInteger();
        AtomicInteger failedBinds = new AtomicInteger();
        Map<String, Integer> failures = new ConcurrentHashMap<>();
        CountDownLatch bound = new CountDownLatch(scenario.pods());
        CountDownLatch allocated = new CountDownLatch(scenario.kind() == Kind.OURS ? scenario.pods() : 0);

        ExtenderSchedulingLoop.Extender extender;
        Extenders.NoOp noOp = null;
        if (scenario.kind() == Kind.OURS) {
            extender = new Extenders.Http(harness.service().extenderUrl(), nodeNames);
        } else {
            noOp = new Extenders.NoOp(nodeNames, kubeScheduler, schedulerClient);
            extender = noOp;
        }
        long start = System.nanoTime();
        ExtenderSchedulingLoop.Observer observer = new ExtenderSchedulingLoop.Observer() {
            @Override
            public void filtered(Pod pod, FilterAnswer answer, long tookNanos) {
                filterNanos.add(tookNanos);
            }

            @Override
            public void bound(Pod pod, String node) {
                eventBroadcaster.execute(() -> event(kubeScheduler, eventClient, pod, "Normal", "Scheduled",
                        "Successfully assigned " + namespace + "/" + pod.getMetadata().getName() + " to " + node));
            }

            @Override
            public void failed(Pod pod, String stage, String message) {
                (stage.equals("filter") ? failedFilters : failedBinds).incrementAndGet();
                failures.merge(stage + ": " + message.replaceAll("[0-9]+", "N")
                        .replaceAll("burst-N", "<pod>").replaceAll("sN-gpu-node-N", "<node>"), 1, Integer::sum);
                unschedulable(kubeScheduler, schedulerClient, pod, message);
                eventBroadcaster.execute(() -> event(kubeScheduler, eventClient, pod, "Warning", "FailedScheduling",
                        message));
            }
        };
        SchedulingQueue queue = new SchedulingQueue(Duration.ofSeconds(1), Duration.ofSeconds(10), System::nanoTime);
        ExtenderSchedulingLoop loop = new ExtenderSchedulingLoop(SCHEDULER_NAME, queue, extender, observer);
        SharedIndexInformer<Pod> informer = kubeScheduler.pods().inNamespace(namespace).inform(
                new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(Pod pod) {
                        loop.onAdd(pod);
                    }

                    @Override
                    public void onUpdate(Pod old, Pod pod) {
                        loop.onUpdate(old, pod);
                        // Bound as kube-scheduler sees it: also when the bind's answer was lost or came too late.
                        String boundTo = pod.getSpec().getNodeName();
                        if (boundTo != null && !boundTo.isEmpty() && boundAt.putIfAbsent(pod.getMetadata().getUid(),
                                System.nanoTime() - start) == null) {
                            bound.countDown();
                        }
                        Map<String, String> annotations = pod.getMetadata().getAnnotations();
                        if (annotations != null && BindPhase.SUCCESS.value().equals(
                                annotations.get(HamiKeys.BIND_PHASE))
                                && allocatedAt.putIfAbsent(pod.getMetadata().getUid(),
                                System.nanoTime() - start) == null) {
                            allocated.countDown();
                        }
                    }

                    @Override
                    public void onDelete(Pod pod, boolean unknown) {
                        loop.onDelete(pod);
                    }
                });
        loop.start();
        try {
            if (!bound.await(10, TimeUnit.MINUTES) || !allocated.await(5, TimeUnit.MINUTES)) {
                throw new IllegalStateException(scenario.name() + ": " + bound.getCount() + " pods not bound, "
                        + allocated.getCount() + " not allocated after 10 minutes");
            }
        } finally {
            loop.close();
            informer.close();
            eventBroadcaster.shutdown();
            eventBroadcaster.awaitTermination(30, TimeUnit.SECONDS);
            if (noOp != null) {
                noOp.close();
            }
        }
        double wall = boundAt.values().stream().mapToLong(Long::longValue).max().orElse(0) / 1e9;
        double allocatedSeconds = allocatedAt.values().stream().mapToLong(Long::longValue).max().orElse(0) / 1e9;
        double[] ttb = boundAt.values().stream().mapToDouble(n -> n / 1e9).sorted().toArray();
        double[] filter = filterNanos.stream().mapToDouble(n -> n / 1e6).sorted().toArray();
        return new Result(scenario, wall, allocatedSeconds, ttb, loop.filterCalls(), loop.skipped(),
                failedFilters.get(), failedBinds.get(), filter, harness.writes().drain(), roundTrip, failures,
                FilterHistogram.parse(harness.service().scrape()).minus(before).summary());
    }

    /**
     * The API's own speed before the burst: 40 serial merge patches of a ConfigMap nobody watches, in ms. Every
     * number of the run is a multiple of this round trip.
     */
    private static double[] calibrate(KubernetesClient client, String name) {
        client.configMaps().inNamespace("calibration").resource(new ConfigMapBuilder()
                .withNewMetadata().withName(name).endMetadata().build()).create();
        double[] millis = new double[40];
        for (int i = 0; i < millis.length; i++) {
            long started = System.nanoTime();
            client.configMaps().inNamespace("calibration").withName(name)
                    .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"data\":{\"i\":\"" + i + "\"}}");
            millis[i] = (System.nanoTime() - started) / 1e6;
        }
        Arrays.sort(millis);
        return millis;
    }

    /** kube-scheduler's {@code PodScheduled=False} status update of a pod whose attempt failed. */
    private static void unschedulable(KubernetesClient client, TokenBucket limiter, Pod pod, String message) {
        try {
            limiter.acquire();
            String patch = "{\"status\":{\"conditions\":[{\"type\":\"PodScheduled\",\"status\":\"False\","
                    + "\"reason\":\"Unschedulable\",\"message\":" + quote(message) + ",\"lastTransitionTime\":\""
                    + Instant.now() + "\"}]}}";
            client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                    .subresource("status")
                    .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (KubernetesClientException e) {
            // Measured as a write all the same; a failed status update changes nothing the burst depends on.
        }
    }

    private static void event(KubernetesClient client, TokenBucket limiter, Pod pod, String type, String reason,
                              String message) {
        String namespace = pod.getMetadata().getNamespace();
        try {
            limiter.acquire();
            client.v1().events().inNamespace(namespace).resource(new EventBuilder().withNewMetadata()
                    .withName(pod.getMetadata().getName() + "." + UUID.randomUUID().toString().substring(0, 8))
                    .endMetadata().withNewInvolvedObject().withKind("Pod").withNamespace(namespace)
                    .withName(pod.getMetadata().getName()).withUid(pod.getMetadata().getUid()).endInvolvedObject()
                    .withType(type).withReason(reason).withMessage(message).withNewSource()
                    .withComponent(SCHEDULER_NAME).endSource().build()).create();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (KubernetesClientException e) {
            // An event lost, as kube-scheduler's broadcaster drops them too.
        }
    }

    private static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", " ") + "\"";
    }

    /** A pod of the burst; ours carry the scenario's node policy (one service serves every scenario). */
    private static Pod pod(String namespace, String name, Scenario scenario) {
        Map<String, Quantity> limits = new LinkedHashMap<>();
        limits.put("nvidia.com/gpu", new Quantity("1"));
        limits.put("nvidia.com/gpumem", new Quantity(Integer.toString(scenario.podMemory())));
        if (scenario.podCores() != null) {
            limits.put("nvidia.com/gpucores", new Quantity(Integer.toString(scenario.podCores())));
        }
        Map<String, String> annotations = scenario.kind() == Kind.OURS
                ? Map.of(HamiKeys.NODE_SCHEDULER_POLICY, scenario.policy()) : Map.of();
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                .withAnnotations(annotations).endMetadata()
                .withNewSpec().withSchedulerName(SCHEDULER_NAME).addNewContainer().withName("c").withImage("busybox")
                .withNewResources().withLimits(limits).endResources().endContainer().endSpec()
                .withNewStatus().withPhase("Pending").endStatus().build();
    }

    private static KubernetesClient client(EmbeddedApiServer api, String userAgent) {
        return new KubernetesClientBuilder().withConfig(KubernetesClients.tune(api.clientConfig())
                .withUserAgent(userAgent).build()).build();
    }

    private static void print(Scenario base, List<Result> results) {
        Result reference = results.get(0);
        System.out.printf(Locale.ROOT, "%n%s; %d CPUs, %s %s%n", base.load(), Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name"), System.getProperty("java.version"));
        if (base.nodes() == 1) {
            System.out.printf(Locale.ROOT, "device-plugin floor: %d x %d ms = %.1f s%n", base.pods(),
                    base.pluginDelay().toMillis(), base.pods() * base.pluginDelay().toMillis() / 1000.0);
        }
        System.out.printf(Locale.ROOT, "%-18s %8s %8s %9s %9s %9s %8s %9s %9s %9s %10s %s%n", "extender", "bound s",
                "pods/s", "vs no-op", "ttb p50", "ttb p95", "filters", "failed", "filter50", "filter99",
                "allocated", "per pod: API writes (+ events) / reads");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "%-18s %8.2f %8.1f %8.0f%% %8.2fs %8.2fs %8d %4d/%-4d %7.2fms %7.2fms %9.2fs"
                            + " gpushare %.2f (+%.2f) / %.2f, device plugin %.2f / %.2f, kube-scheduler %.2f (+%.2f)"
                            + " / %.2f%n",
                    r.scenario().name(), r.wallSeconds(), r.podsPerSecond(),
                    100 * r.podsPerSecond() / reference.podsPerSecond(), percentile(r.timeToBound(), 50),
                    percentile(r.timeToBound(), 95), r.filterCalls(), r.failedFilters(), r.failedBinds(),
                    percentile(r.filterMillis(), 50), percentile(r.filterMillis(), 99), r.allocatedSeconds(),
                    r.writesPerPod("gpushare"), r.eventsPerPod("gpushare"), r.readsPerPod("gpushare"),
                    r.writesPerPod(ApiWrites.DEVICE_PLUGIN), r.readsPerPod(ApiWrites.DEVICE_PLUGIN),
                    r.writesPerPod(ApiWrites.KUBE_SCHEDULER), r.eventsPerPod(ApiWrites.KUBE_SCHEDULER),
                    r.readsPerPod(ApiWrites.KUBE_SCHEDULER));
        }
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "  %s: /filter %s; API round trip p50 %.2f ms; writes %s; popped again but"
                            + " skipped %d; failures %s%n", r.scenario().name(), r.inService(),
                    percentile(r.apiRoundTripMillis(), 50), r.writes(), r.skipped(), r.failures());
        }
    }

    static double percentile(double[] sorted, int p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

}
