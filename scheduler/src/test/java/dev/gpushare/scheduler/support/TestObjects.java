package dev.gpushare.scheduler.support;

import dev.gpushare.common.annotation.HamiKeys;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** Pods and names for tests that share one embedded API. */
public final class TestObjects {

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private TestObjects() {
    }

    /** A name no other test uses. */
    public static String unique(String prefix) {
        return prefix + "-" + SEQUENCE.incrementAndGet();
    }

    /** A pod with one container asking for {@code gpus} GPUs, and MiB / cores when not null. */
    public static Pod gpuPod(String namespace, String name, int gpus, Integer memory, Integer cores) {
        Map<String, Quantity> limits = new HashMap<>();
        limits.put("nvidia.com/gpu", new Quantity(Integer.toString(gpus)));
        if (memory != null) {
            limits.put("nvidia.com/gpumem", new Quantity(Integer.toString(memory)));
        }
        if (cores != null) {
            limits.put("nvidia.com/gpucores", new Quantity(Integer.toString(cores)));
        }
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withNewSpec().withSchedulerName("hami-scheduler").addNewContainer().withName("c").withImage("busybox")
                .withNewResources().withLimits(limits).endResources().endContainer().endSpec()
                .withNewStatus().withPhase("Pending").endStatus().build();
    }

    public static Pod create(KubernetesClient client, Pod pod) {
        return client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod).create();
    }

    public static Pod get(KubernetesClient client, Pod pod) {
        return client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).get();
    }

    public static Map<String, String> annotations(KubernetesClient client, Pod pod) {
        Map<String, String> annotations = get(client, pod).getMetadata().getAnnotations();
        return annotations == null ? Map.of() : annotations;
    }

    public static String nodeLock(KubernetesClient client, String node) {
        Map<String, String> annotations = client.nodes().withName(node).get().getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(HamiKeys.NODE_LOCK);
    }
}
