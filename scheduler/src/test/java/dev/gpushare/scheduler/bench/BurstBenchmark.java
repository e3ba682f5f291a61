package dev.gpushare.scheduler.bench;

import dev.gpushare.common.annotation.BindPhase;
import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.scheduler.SchedulerApplication;
import dev.gpushare.scheduler.leader.Admission;
import dev.gpushare.scheduler.leader.Leadership;
import dev.gpushare.scheduler.support.TestObjects;
import dev.gpushare.scheduler.listener.ExtenderListener;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The burst of DESIGN.md: 40 pods (1 GPU, 1000 MiB each) onto one node of 4 GPUs with 10 slots each, whose
 * emulated device plugin takes 500 ms per allocation; once with the default lock wait (20 s) and once with
 * {@code hami.bind.lock-wait=0} (fail fast, as HAMi). The driver behaves like kube-scheduler: one scheduling loop
 * filters pod after pod, each bind runs on its own, and a pod whose bind failed is filtered and bound again after a
 * backoff of 1 s doubling to 10 s. Not a test; run with
 * {@code ./mvnw -B -ntp -q -pl scheduler test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.gpushare.scheduler.bench.BurstBenchmark}.
 */
public final class BurstBenchmark {

    private static final int PODS = 40;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private record Result(String scenario, long allBoundMs, long allAllocatedMs, int failedBinds, int filters) {
    }

    private BurstBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        List<Result> results = new ArrayList<>();
        results.add(run("lock-wait=20s (default)", "20s"));
        results.add(run("lock-wait=0 (HAMi: fail fast)", "0s"));
        System.out.printf("%nburst: %d pods x 1 GPU 1000 MiB -> 1 node, 4 GPUs x 10 slots, device plugin 500 ms per"
                + " allocation; %d CPUs, %s %s%n", PODS, Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name"), System.getProperty("java.version"));
        System.out.printf("%-32s %14s %18s %12s %8s%n", "scenario", "all bound (s)", "all allocated (s)",
                "failed binds", "filters");
        for (Result r : results) {
            System.out.printf("%-32s %14.1f %18.1f %12d %8d%n", r.scenario(), r.allBoundMs() / 1000.0,
                    r.allAllocatedMs() / 1000.0, r.failedBinds(), r.filters());
        }
        System.exit(0);
    }

    private static Result run(String scenario, String lockWait) throws Exception {
        try (ConfigurableApplicationContext app = new SpringApplicationBuilder(SchedulerApplication.class)
                .properties("hami.extender.port=0", "hami.webhook.port=0", "management.server.port=0",
                        "hami.embedded.nodes=1", "hami.embedded.gpus-per-node=4", "hami.embedded.split-count=10",
                        "hami.embedded.memory-mib=40960",
                        "hami.embedded.device-plugin.allocation-delay=500ms", "hami.bind.lock-wait=" + lockWait,
                        "logging.level.dev.gpushare=WARN", "logging.level.root=WARN")
                .run()) {
            KubernetesClient client = app.getBean(KubernetesClient.class);
            if (!(app.getBean(Leadership.class).awaitServing(Duration.ofSeconds(30)) instanceof Admission.Serving)) {
                throw new IllegalStateException("scheduler did not sync");
            }
            List<Pod> pods = new ArrayList<>();
            for (int i = 0; i < PODS; i++) {
                pods.add(TestObjects.create(client, TestObjects.gpuPod("bench", "burst-" + i, 1, 1000, null)));
            }
            Driver driver = new Driver(app.getBean(ExtenderListener.class).port(), List.of("gpu-node-1"));
            long start = System.nanoTime();
            driver.schedule(pods);
            long allBound = (System.nanoTime() - start) / 1_000_000;
            Awaitility.await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(50))
                    .until(() -> pods.stream().allMatch(p -> BindPhase.SUCCESS.value()
                            .equals(TestObjects.annotations(client, p).get(HamiKeys.BIND_PHASE))));
            long allAllocated = (System.nanoTime() - start) / 1_000_000;
            return new Result(scenario, allBound, allAllocated, driver.failedBinds.get(), driver.filters.get());
        }
    }

    /** kube-scheduler, as far as this burst goes: a sequential scheduling loop, parallel binds, backoff. */
    private static final class Driver {

        private record Item(Pod pod, int attempt, long readyAtNanos) implements Delayed {
            @Override
            public long getDelay(TimeUnit unit) {
                return unit.convert(readyAtNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
            }

            @Override
            public int compareTo(Delayed other) {
                return Long.compare(readyAtNanos, ((Item) other).readyAtNanos);
            }
        }

        private final String base;
        private final List<String> nodeNames;
        private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        private final ExecutorService binders = Executors.newCachedThreadPool();
        private final DelayQueue<Item> queue = new DelayQueue<>();
        final AtomicInteger failedBinds = new AtomicInteger();
        final AtomicInteger filters = new AtomicInteger();

        Driver(int port, List<String> nodeNames) {
            this.base = "http://127.0.0.1:" + port;
            this.nodeNames = nodeNames;
        }

        void schedule(List<Pod> pods) throws Exception {
            CountDownLatch bound = new CountDownLatch(pods.size());
            pods.forEach(p -> queue.add(new Item(p, 0, System.nanoTime())));
            while (bound.getCount() > 0) {
                Item item = queue.poll(100, TimeUnit.MILLISECONDS);
                if (item == null) {
                    continue;
                }
                filters.incrementAndGet();
                Map<String, Object> args = new LinkedHashMap<>();
                args.put("Pod", JSON.readTree(Serialization.asJson(item.pod())));
                args.put("Nodes", null);
                args.put("NodeNames", nodeNames);
                JsonNode filtered = post("/filter", args);
                if (filtered.get("NodeNames").isNull()) {
                    retry(item);
                    continue;
                }
                String node = filtered.get("NodeNames").get(0).asString();
                binders.submit(() -> {
                    Map<String, Object> bind = new LinkedHashMap<>();
                    bind.put("PodName", item.pod().getMetadata().getName());
                    bind.put("PodNamespace", item.pod().getMetadata().getNamespace());
                    bind.put("PodUID", item.pod().getMetadata().getUid());
                    bind.put("Node", node);
                    if (post("/bind", bind).get("Error").asString().isEmpty()) {
                        bound.countDown();
                    } else {
                        failedBinds.incrementAndGet();
                        retry(item);
                    }
                    return null;
                });
            }
            binders.shutdown();
        }

        /** kube-scheduler's pod backoff: 1 s, doubling per attempt, at most 10 s. */
        private void retry(Item item) {
            long backoffMs = Math.min(10_000L, 1_000L << Math.min(item.attempt(), 4));
            queue.add(new Item(item.pod(), item.attempt() + 1, System.nanoTime() + backoffMs * 1_000_000));
        }

        private JsonNode post(String path, Object body) throws Exception {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + path))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
                    HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(response.body());
        }
    }
}
