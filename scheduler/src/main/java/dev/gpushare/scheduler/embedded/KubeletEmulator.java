package dev.gpushare.scheduler.embedded;

import dev.gpushare.common.annotation.BindPhase;
import dev.gpushare.common.annotation.HamiKeys;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What kubelet reports for a pod bound to an embedded node: {@code Running} with every container ready once the
 * device plugin has allocated its GPUs ({@code hami.io/bind-phase: success}; at once for a pod without GPUs), and
 * {@code Failed} with {@code UnexpectedAdmissionError} when the allocation failed. Nothing runs: the status says
 * what a kubelet would.
 */
public final class KubeletEmulator implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KubeletEmulator.class);

    private final KubernetesClient client;
    private final Clock clock;
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "kubelet-emulator");
        thread.setDaemon(true);
        return thread;
    });
    /** Pods whose status was written, by UID: kubelet starts a pod once. */
    private final Set<String> started = ConcurrentHashMap.newKeySet();
    private SharedIndexInformer<Pod> informer;

    public KubeletEmulator(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    public void start() {
        informer = PodInformer.everyPod(client, this::consider, pod -> started.remove(pod.getMetadata().getUid()));
    }

    private void consider(Pod pod) {
        String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if (node == null || node.isEmpty() || !(phase == null || "Pending".equals(phase))
                || pod.getMetadata().getDeletionTimestamp() != null) {
            return;
        }
        Map<String, String> annotations = pod.getMetadata().getAnnotations() == null ? Map.of()
                : pod.getMetadata().getAnnotations();
        boolean gpus = annotations.containsKey(HamiKeys.DEVICES_ALLOCATED);
        String bindPhase = annotations.get(HamiKeys.BIND_PHASE);
        if (gpus && BindPhase.FAILED.value().equals(bindPhase)) {
            report(pod, node, false);
        } else if (!gpus || BindPhase.SUCCESS.value().equals(bindPhase)) {
            report(pod, node, true);
        }
    }

    private void report(Pod pod, String node, boolean running) {
        if (!started.add(pod.getMetadata().getUid())) {
            return;
        }
        writer.execute(() -> write(pod, node, running));
    }

    private void write(Pod pod, String node, boolean running) {
        String now = DateTimeFormatter.ISO_INSTANT.format(clock.instant().truncatedTo(ChronoUnit.SECONDS));
        Map<String, Object> status = new LinkedHashMap<>();
        List<Object> conditions = new ArrayList<>();
        if (pod.getStatus() != null && pod.getStatus().getConditions() != null) {
            pod.getStatus().getConditions().stream().filter(c -> "PodScheduled".equals(c.getType()))
                    .forEach(conditions::add);
        }
        if (running) {
            for (String type : List.of("Initialized", "ContainersReady", "Ready")) {
                conditions.add(Map.of("type", type, "status", "True", "lastTransitionTime", now));
            }
            List<Object> containers = new ArrayList<>();
            for (Container container : pod.getSpec().getContainers()) {
                containers.add(Map.of("name", container.getName(), "image", String.valueOf(container.getImage()),
                        "imageID", "", "ready", true, "started", true, "restartCount", 0,
                        "state", Map.of("running", Map.of("startedAt", now))));
            }
            status.put("phase", "Running");
            status.put("containerStatuses", containers);
            status.put("podIP", podIp(pod.getMetadata().getUid()));
        } else {
            status.put("phase", "Failed");
            status.put("reason", "UnexpectedAdmissionError");
            status.put("message", "Allocate failed due to the device plugin's allocation failure, which is"
                    + " unexpected");
        }
        status.put("conditions", conditions);
        status.put("hostIP", "10.0.0." + (Math.abs(node.hashCode()) % 250 + 1));
        status.put("startTime", now);
        try {
            client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                    .subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE),
                            Serialization.asJson(Map.of("status", status)));
        } catch (KubernetesClientException e) {
            log.debug("pod status not written pod={}/{}: {}", pod.getMetadata().getNamespace(),
                    pod.getMetadata().getName(), e.getMessage());
        }
    }

    private static String podIp(String uid) {
        int hash = uid.hashCode();
        return "10.244." + ((hash >>> 8) & 0xff) + "." + (Math.abs(hash % 250) + 2);
    }

    @Override
    public void close() {
        if (informer != null) {
            informer.close();
        }
        writer.shutdownNow();
    }
}
