package dev.gpushare.scheduler.embedded;

import dev.gpushare.common.annotation.HamiKeys;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stream of GPU pods of every kind the scheduler handles (whole GPUs, memory and core slices, a memory
 * percentage, two GPUs, type and UUID selectors, spread and binpack, and now and then one too big for any GPU),
 * created in namespace {@code demo} as a user would create them; each is deleted once it has existed for
 * {@code runFor}, so GPUs free up and waiting pods get their turn.
 */
public final class DemoWorkload implements AutoCloseable {

    static final String NAMESPACE = "demo";
    static final String LABEL = "app.kubernetes.io/part-of";
    static final String LABEL_VALUE = "gpushare-demo";
    private static final Logger log = LoggerFactory.getLogger(DemoWorkload.class);

    /** One kind of pod: its name stem, GPU limits and annotations. */
    record Kind(String name, Map<String, String> limits, Map<String, String> annotations) {
    }

    private final KubernetesClient client;
    private final Clock clock;
    private final Duration interval;
    private final Duration runFor;
    private final int maxPods;
    private final List<Kind> kinds;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "demo-workload");
        thread.setDaemon(true);
        return thread;
    });
    private long submitted;

    /** {@code uuid}: a GPU that exists, for the UUID selector. */
    public DemoWorkload(KubernetesClient client, Clock clock, Duration interval, Duration runFor, int maxPods,
                        String uuid) {
        this.client = client;
        this.clock = clock;
        this.interval = interval;
        this.runFor = runFor;
        this.maxPods = maxPods;
        this.kinds = kinds(uuid);
    }

    static List<Kind> kinds(String uuid) {
        return List.of(
                new Kind("whole-gpu", Map.of("nvidia.com/gpu", "1"), Map.of()),
                new Kind("memory-slice", Map.of("nvidia.com/gpu", "1", "nvidia.com/gpumem", "8000"), Map.of()),
                new Kind("core-slice", Map.of("nvidia.com/gpu", "1", "nvidia.com/gpumem", "4000",
                        "nvidia.com/gpucores", "30"), Map.of()),
                new Kind("memory-percentage", Map.of("nvidia.com/gpu", "1", "nvidia.com/gpumem-percentage", "25"),
                        Map.of()),
                new Kind("two-gpus", Map.of("nvidia.com/gpu", "2", "nvidia.com/gpumem", "6000"), Map.of()),
                new Kind("gpu-type", Map.of("nvidia.com/gpu", "1", "nvidia.com/gpumem", "5000"),
                        Map.of(HamiKeys.USE_GPU_TYPE, "A100")),
                new Kind("gpu-uuid", Map.of("nvidia.com/gpu", "1", "nvidia.com/gpumem", "3000"),
                        Map.of(HamiKeys.USE_GPU_UUID, uuid)),
                new Kind("spread", Map.of("nvidia.com/gpu", "1", "nvidia.com/gpumem", "6000"),
                        Map.of(HamiKeys.NODE_SCHEDULER_POLICY, "spread", HamiKeys.GPU_SCHEDULER_POLICY, "spread")),
                new Kind("binpack", Map.of("nvidia.com/gpu", "1", "nvidia.com/gpumem", "6000"),
                        Map.of(HamiKeys.NODE_SCHEDULER_POLICY, "binpack", HamiKeys.GPU_SCHEDULER_POLICY, "binpack")),
                new Kind("too-big", Map.of("nvidia.com/gpu", "1", "nvidia.com/gpumem", "50000"), Map.of()));
    }

    public void start() {
        timer.scheduleWithFixedDelay(this::tick, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        log.info("demo workload started namespace={} interval={} runFor={} maxPods={}", NAMESPACE, interval, runFor,
                maxPods);
    }

    /** Deletes the pods whose time is up, then submits the next one if there is room. */
    void tick() {
        try {
            Instant now = clock.instant();
            List<Pod> pods = client.pods().inNamespace(NAMESPACE).withLabel(LABEL, LABEL_VALUE).list().getItems();
            int alive = 0;
            for (Pod pod : pods) {
                String created = pod.getMetadata().getCreationTimestamp();
                if (created != null && !Instant.parse(created).plus(runFor).isAfter(now)) {
                    client.pods().inNamespace(NAMESPACE).withName(pod.getMetadata().getName()).delete();
                } else {
                    alive++;
                }
            }
            if (alive < maxPods) {
                client.pods().inNamespace(NAMESPACE).resource(next()).create();
            }
        } catch (KubernetesClientException | java.time.format.DateTimeParseException e) {
            log.debug("demo workload: {}", e.getMessage());
        }
    }

    Pod next() {
        Kind kind = kinds.get((int) (submitted % kinds.size()));
        submitted++;
        Map<String, Quantity> limits = new LinkedHashMap<>();
        kind.limits().forEach((k, v) -> limits.put(k, new Quantity(v)));
        return new PodBuilder().withNewMetadata().withName(kind.name() + "-" + submitted).withNamespace(NAMESPACE)
                .withLabels(Map.of(LABEL, LABEL_VALUE)).withAnnotations(kind.annotations()).endMetadata()
                .withNewSpec().addNewContainer().withName("cuda").withImage("nvidia/cuda:12.4.1-base-ubuntu22.04")
                .withCommand("sleep", "infinity").withNewResources().withLimits(limits).endResources().endContainer()
                .endSpec().build();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
