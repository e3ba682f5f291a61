package dev.gpushare.scheduler.embedded;

import dev.gpushare.common.annotation.AllocationCodec;
import dev.gpushare.common.annotation.BindPhase;
import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.common.annotation.MalformedAnnotationException;
import dev.gpushare.common.device.ContainerDevice;
import dev.gpushare.common.device.PodAllocation;
import dev.gpushare.common.lock.NodeLockValue;
import dev.gpushare.common.request.ContainerRequest;
import dev.gpushare.common.request.InvalidRequestException;
import dev.gpushare.common.request.PodRequest;
import dev.gpushare.common.request.PodRequestParser;
import dev.gpushare.scheduler.kube.KubernetesClients;
import dev.gpushare.scheduler.kube.MergePatch;
import dev.gpushare.scheduler.lock.NodeLockService;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Does on every node of the embedded cluster what kubelet and HAMi's v2.8 NVIDIA device plugin do after a bind
 * (spec section 6.3): for each GPU container of a pod bound to the node, after {@code allocationDelay}, find the
 * pod through the node lock (else the fallback lookup), consume the first non-empty segment of
 * {@code hami.io/vgpu-devices-to-allocate} (its device count must match the container's request), and after the
 * last one set {@code hami.io/bind-phase: success} and release the lock (owner-checked). A failure sets
 * {@code failed} and releases the lock, as the plugin does. Allocations of one node run one after another.
 */
public final class DevicePluginEmulator implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DevicePluginEmulator.class);

    private static final int FAIL_ATTEMPTS = 3;

    private final KubernetesClient client;
    private final NodeLockService locks;
    private final PodRequestParser parser;
    private final Duration allocationDelay;
    private final ExecutorService pool;
    /** Pods whose allocation was already queued, by UID: kubelet admits a pod once. */
    private final Set<String> admitted = ConcurrentHashMap.newKeySet();
    /** Per node, the last queued allocation: the next one runs after it. */
    private final Map<String, CompletableFuture<Void>> tails = new ConcurrentHashMap<>();
    private SharedIndexInformer<Pod> informer;

    public DevicePluginEmulator(KubernetesClient client, NodeLockService locks, PodRequestParser parser,
                                Duration allocationDelay) {
        this(client, locks, parser, allocationDelay, 2);
    }

    /**
     * @param threads how many nodes allocate at the same time (a real cluster runs one plugin per node; a load
     *                driver sets this to its node count)
     */
    public DevicePluginEmulator(KubernetesClient client, NodeLockService locks, PodRequestParser parser,
                                Duration allocationDelay, int threads) {
        this.client = client;
        this.locks = locks;
        this.parser = parser;
        this.allocationDelay = allocationDelay;
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread thread = new Thread(r, "device-plugin-emulator");
            thread.setDaemon(true);
            return thread;
        });
    }

    public void start() {
        informer = PodInformer.everyPod(client, this::admit, pod -> admitted.remove(pod.getMetadata().getUid()));
    }

    /** kubelet sees a pod bound to its node: one Allocate call per GPU container, init containers first. */
    private void admit(Pod pod) {
        String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if (node == null || node.isEmpty() || (phase != null && !phase.equals("Pending"))) {
            return;
        }
        List<Integer> gpuContainers = gpuCounts(pod);
        if (gpuContainers.isEmpty() || !admitted.add(pod.getMetadata().getUid())) {
            return;
        }
        for (int devices : gpuContainers) {
            tails.compute(node, (n, tail) -> (tail == null ? CompletableFuture.<Void>completedFuture(null) : tail)
                    .thenRunAsync(() -> allocate(n, devices),
                            CompletableFuture.delayedExecutor(allocationDelay.toNanos(), TimeUnit.NANOSECONDS, pool)));
        }
    }

    private List<Integer> gpuCounts(Pod pod) {
        PodRequest request;
        try {
            request = parser.parse(pod);
        } catch (InvalidRequestException e) {
            return List.of();
        }
        return Stream.concat(request.initContainers().stream(), request.containers().stream())
                .filter(ContainerRequest::requestsGpu).map(ContainerRequest::nums).toList();
    }

    /**
     * One Allocate call of kubelet for a container that asked for {@code devices} GPUs. An API error once the pod is
     * known fails the allocation as the plugin does (bind-phase {@code failed}, lock released), so the pod is not
     * left {@code allocating}; a pod that is gone (deleted before its turn) leaves the lock to be healed as dangling.
     */
    private void allocate(String node, int devices) {
        Pod pod = null;
        try {
            Optional<Pod> found = pendingPod(node);
            if (found.isEmpty()) {
                log.warn("device plugin emulator node={}: no binding pod found on node", node);
                return;
            }
            pod = found.get();
            String error = consumeSegment(pod, devices);
            String ns = pod.getMetadata().getNamespace();
            String name = pod.getMetadata().getName();
            if (error != null) {
                log.warn("device plugin emulator node={} pod={}/{} allocate failed: {}", node, ns, name, error);
                fail(node, pod);
                return;
            }
            Pod after = client.pods().inNamespace(ns).withName(name).get();
            String left = after == null ? null : annotations(after).get(HamiKeys.DEVICES_TO_ALLOCATE);
            if (left == null || !left.contains(HamiKeys.NVIDIA_VENDOR)) {
                setBindPhase(pod, BindPhase.SUCCESS);
                locks.release(node, ns, name);
            }
        } catch (KubernetesClientException e) {
            log.warn("device plugin emulator node={}: API error {}", node, e.getMessage());
            if (pod != null) {
                fail(node, pod);
            }
        }
    }

    /** The plugin's {@code PodAllocationFailed}: bind-phase {@code failed} and the lock released, a few tries each. */
    private void fail(String node, Pod pod) {
        for (int attempt = 1; attempt <= FAIL_ATTEMPTS; attempt++) {
            try {
                setBindPhase(pod, BindPhase.FAILED);
                break;
            } catch (KubernetesClientException e) {
                log.warn("device plugin emulator node={}: cannot mark the allocation failed: {}", node,
                        e.getMessage());
            }
        }
        for (int attempt = 1; attempt <= FAIL_ATTEMPTS
                && !locks.release(node, pod.getMetadata().getNamespace(), pod.getMetadata().getName()); attempt++) {
            log.warn("device plugin emulator node={}: lock release failed, attempt {}", node, attempt);
        }
    }

    /** The plugin's {@code GetPendingPod}: the pod named by the lock, else a pod in the middle of its bind. */
    private Optional<Pod> pendingPod(String node) {
        Node current = client.nodes().withName(node).get();
        String lock = current == null ? null : annotations(current).get(HamiKeys.NODE_LOCK);
        if (lock != null) {
            try {
                Optional<NodeLockValue.Owner> owner = NodeLockValue.parse(lock).owner();
                if (owner.isPresent()) {
                    return Optional.ofNullable(
                            client.pods().inNamespace(owner.get().namespace()).withName(owner.get().name()).get());
                }
            } catch (MalformedAnnotationException e) {
                return Optional.empty();
            }
        }
        return client.pods().inAnyNamespace().list().getItems().stream()
                .filter(p -> node.equals(p.getSpec().getNodeName()))
                .filter(p -> p.getStatus() == null || "Pending".equals(p.getStatus().getPhase()))
                .filter(p -> annotations(p).containsKey(HamiKeys.BIND_TIME))
                .filter(p -> BindPhase.ALLOCATING.value().equals(annotations(p).get(HamiKeys.BIND_PHASE)))
                .filter(p -> node.equals(annotations(p).get(HamiKeys.VGPU_NODE)))
                .findFirst();
    }

    /**
     * Takes the first non-empty segment, as a v2.8 plugin does: its decoder drops empty segments, so the rewritten
     * value has them dropped too. Returns an error text, or {@code null} when the segment was consumed.
     */
    private String consumeSegment(Pod pod, int devices) {
        String value = annotations(pod).get(HamiKeys.DEVICES_TO_ALLOCATE);
        if (value == null) {
            return "device request not found";
        }
        List<List<ContainerDevice>> segments;
        try {
            segments = new ArrayList<>(AllocationCodec.decode(value).containers().stream()
                    .filter(segment -> !segment.isEmpty()).toList());
        } catch (MalformedAnnotationException e) {
            return e.getMessage();
        }
        if (segments.isEmpty()) {
            return "device request not found";
        }
        if (segments.get(0).size() != devices) {
            return "device number not matched: annotation has " + segments.get(0).size() + ", kubelet asked "
                    + devices;
        }
        segments.set(0, List.of());
        patch(pod, MergePatch.metadata().annotation(HamiKeys.DEVICES_TO_ALLOCATE,
                AllocationCodec.encode(new PodAllocation(segments))));
        return null;
    }

    private void setBindPhase(Pod pod, BindPhase phase) {
        patch(pod, MergePatch.metadata().annotation(HamiKeys.BIND_PHASE, phase.value()));
    }

    private void patch(Pod pod, MergePatch patch) {
        patch.applyToPod(client, pod.getMetadata().getNamespace(), pod.getMetadata().getName());
    }

    private static Map<String, String> annotations(io.fabric8.kubernetes.api.model.HasMetadata object) {
        Map<String, String> annotations = object.getMetadata().getAnnotations();
        return annotations == null ? Map.of() : annotations;
    }

    @Override
    public void close() {
        if (informer != null) {
            informer.close();
        }
        pool.shutdownNow();
    }
}
