package dev.gpushare.scheduler.embedded;

import dev.gpushare.common.device.NodeReadiness;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Does for pods of one scheduler name what kube-scheduler does with an extender: one scheduling loop takes pods
 * from a {@link SchedulingQueue}, keeps the nodes that pass kube-scheduler's own checks (Ready, schedulable, node
 * selector), asks the extender's {@code /filter}, takes the first node it names, and binds through {@code /bind} off
 * the loop (binds run in parallel, as kube-scheduler's binding cycles do). A pod that fits nowhere gets
 * {@code PodScheduled=False} ({@code Unschedulable}, with kube-scheduler's message) and a {@code FailedScheduling}
 * event, and waits until the cluster changes; an error backs off and retries.
 */
public final class SchedulingDriver implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SchedulingDriver.class);
    private static final int BIND_THREADS = 32;

    private final KubernetesClient client;
    private final String schedulerName;
    private final SchedulerExtender extender;
    private final SchedulingOutcomes outcomes;
    private final SchedulingQueue<String> queue;
    /** The latest version of every pod waiting for us, by UID. */
    private final Map<String, Pod> waiting = new ConcurrentHashMap<>();
    private final ExecutorService binds = Executors.newFixedThreadPool(BIND_THREADS, daemon("scheduling-bind"));
    private final ExecutorService loop = Executors.newSingleThreadExecutor(daemon("scheduling-loop"));
    private SharedIndexInformer<Node> nodes;
    private SharedIndexInformer<Pod> pods;
    private volatile boolean running;

    public SchedulingDriver(KubernetesClient client, String schedulerName, SchedulerExtender extender,
                            SchedulingOutcomes outcomes, SchedulingQueue<String> queue) {
        this.client = client;
        this.schedulerName = schedulerName;
        this.extender = extender;
        this.outcomes = outcomes;
        this.queue = queue;
    }

    public void start() {
        running = true;
        nodes = client.nodes().inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node node) {
                queue.clusterChanged();
            }

            @Override
            public void onUpdate(Node before, Node after) {
                if (relevantChange(before, after)) {
                    queue.clusterChanged();
                }
            }

            @Override
            public void onDelete(Node node, boolean unknownFinalState) {
            }
        });
        pods = client.pods().inAnyNamespace().inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                seen(null, pod);
            }

            @Override
            public void onUpdate(Pod before, Pod after) {
                seen(before, after);
            }

            @Override
            public void onDelete(Pod pod, boolean unknownFinalState) {
                String uid = pod.getMetadata().getUid();
                waiting.remove(uid);
                queue.remove(uid);
                if (assigned(pod)) {
                    queue.clusterChanged();
                }
            }
        });
        loop.execute(this::run);
        log.info("scheduling driver started schedulerName={}", schedulerName);
    }

    private void seen(Pod before, Pod pod) {
        String uid = pod.getMetadata().getUid();
        if (waitsForUs(pod)) {
            waiting.put(uid, pod);
            if (before == null || !waitsForUs(before)) {
                queue.add(uid);
            } else if (!Objects.equals(before.getSpec(), pod.getSpec())
                    || !Objects.equals(before.getMetadata().getLabels(), pod.getMetadata().getLabels())) {
                queue.updated(uid);
            }
            return;
        }
        if (waiting.remove(uid) != null) {
            queue.remove(uid);
        }
        if (before != null && assigned(before) && !finished(before) && finished(pod)) {
            queue.clusterChanged();
        }
    }

    private boolean waitsForUs(Pod pod) {
        return pod.getSpec() != null && schedulerName.equals(pod.getSpec().getSchedulerName()) && !assigned(pod)
                && pod.getMetadata().getDeletionTimestamp() == null && !finished(pod);
    }

    private static boolean assigned(Pod pod) {
        return pod.getSpec() != null && pod.getSpec().getNodeName() != null && !pod.getSpec().getNodeName().isEmpty();
    }

    private static boolean finished(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    /** kube-scheduler requeues on node changes that can make a pod fit: labels, allocatable, taints, readiness. */
    private static boolean relevantChange(Node before, Node after) {
        return !Objects.equals(before.getMetadata().getLabels(), after.getMetadata().getLabels())
                || !Objects.equals(before.getSpec(), after.getSpec())
                || before.getStatus() == null || after.getStatus() == null
                || !Objects.equals(before.getStatus().getAllocatable(), after.getStatus().getAllocatable())
                || NodeReadiness.ready(before) != NodeReadiness.ready(after);
    }

    private void run() {
        while (running) {
            try {
                Optional<String> next = queue.take(Duration.ofSeconds(1));
                next.ifPresent(this::attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.warn("scheduling loop: unexpected failure", e);
            }
        }
    }

    /** One scheduling cycle; the binding cycle runs on the bind pool. */
    private void attempt(String uid) {
        Pod pod = waiting.get(uid);
        if (pod == null) {
            queue.remove(uid);
            return;
        }
        List<Node> all = nodes.getStore().list();
        Map<String, String> rejected = new LinkedHashMap<>();
        List<String> candidates = new ArrayList<>();
        for (Node node : all) {
            String reason = kubeSchedulerFilter(pod, node);
            if (reason == null) {
                candidates.add(node.getMetadata().getName());
            } else {
                rejected.put(node.getMetadata().getName(), reason);
            }
        }
        if (candidates.isEmpty()) {
            unschedulable(uid, pod, all.size(), rejected);
            return;
        }
        SchedulerExtender.FilterResult result;
        try {
            result = extender.filter(pod, candidates);
        } catch (IOException e) {
            failed(uid, pod, "extender filter: " + e.getMessage());
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (!result.error().isEmpty()) {
            failed(uid, pod, result.error());
            return;
        }
        if (result.nodeNames().isEmpty()) {
            rejected.putAll(result.failedNodes());
            rejected.putAll(result.failedUnresolvable());
            unschedulable(uid, pod, all.size(), rejected);
            return;
        }
        String node = result.nodeNames().get(0);
        binds.execute(() -> bind(uid, pod, node));
    }

    private void bind(String uid, Pod pod, String node) {
        try {
            String error = extender.bind(pod, node);
            if (error.isEmpty()) {
                waiting.remove(uid);
                queue.remove(uid);
                outcomes.scheduled(pod, node);
            } else {
                failed(uid, pod, "binding rejected: " + error);
            }
        } catch (IOException e) {
            failed(uid, pod, "binding rejected: extender bind: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void unschedulable(String uid, Pod pod, int nodeCount, Map<String, String> reasons) {
        String message = noNodeAvailable(nodeCount, reasons);
        log.debug("pod {}/{} unschedulable: {}", pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
                message);
        queue.unschedulable(uid);
        outcomes.unschedulable(pod, message);
    }

    private void failed(String uid, Pod pod, String message) {
        queue.error(uid);
        outcomes.failed(pod, message);
    }

    /** kube-scheduler's own filters that matter here; the reason in its words, or {@code null} when it passes. */
    static String kubeSchedulerFilter(Pod pod, Node node) {
        if (!NodeReadiness.ready(node)) {
            return "node(s) were not ready";
        }
        if (node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable())) {
            return "node(s) were unschedulable";
        }
        Map<String, String> selector = pod.getSpec().getNodeSelector();
        Map<String, String> labels = node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
        if (selector != null && !selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())))) {
            return "node(s) didn't match Pod's node affinity/selector";
        }
        return null;
    }

    /** kube-scheduler's {@code FitError} message: {@code 0/4 nodes are available: 1 <reason>, 3 <reason>.} */
    static String noNodeAvailable(int nodeCount, Map<String, String> reasons) {
        if (nodeCount == 0) {
            return "no nodes available to schedule pods";
        }
        Map<String, Integer> histogram = new TreeMap<>();
        reasons.values().forEach(reason -> histogram.merge(reason, 1, Integer::sum));
        List<String> counted = new ArrayList<>();
        histogram.forEach((reason, count) -> counted.add(count + " " + reason));
        counted.sort(null);
        return "0/" + nodeCount + " nodes are available: " + String.join(", ", counted) + ".";
    }

    /** Pods waiting for a node (in flight excluded). */
    public int pending() {
        return queue.waiting();
    }

    @Override
    public void close() {
        running = false;
        loop.shutdownNow();
        binds.shutdownNow();
        try {
            loop.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (pods != null) {
            pods.close();
        }
        if (nodes != null) {
            nodes.close();
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread thread = new Thread(r, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
