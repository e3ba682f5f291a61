package dev.gpushare.ops;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A hand-written stand-in for scheduler and device plugin: every new pod whose name starts with
 * {@code gpushare-smoke-} is placed on {@code gpu-1}, bound and given {@code bindPhase}, the way filter, bind and
 * the device plugin write it.
 */
final class StandIn implements AutoCloseable {

    private final KubernetesClient client;
    private final SharedIndexInformer<Pod> informer;
    /** {@code name schedulerName limits} of each pod seen. */
    final List<String> seen = new CopyOnWriteArrayList<>();

    StandIn(KubernetesClient client, String bindPhase) {
        this.client = client;
        this.informer = client.pods().inAnyNamespace().inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                if (!pod.getMetadata().getName().startsWith("gpushare-smoke-")) {
                    return;
                }
                seen.add(pod.getMetadata().getName() + " " + pod.getSpec().getSchedulerName() + " "
                        + new TreeMap<>(pod.getSpec().getContainers().get(0).getResources().getLimits()));
                patch(pod, "{\"metadata\":{\"labels\":{\"hami.io/vgpu-node\":\"gpu-1\"},\"annotations\":{"
                        + "\"hami.io/vgpu-node\":\"gpu-1\",\"hami.io/vgpu-time\":\"1796126400\","
                        + "\"hami.io/vgpu-devices-to-allocate\":\"GPU-gpu-1-0,NVIDIA,2048,20:;\","
                        + "\"hami.io/vgpu-devices-allocated\":\"GPU-gpu-1-0,NVIDIA,2048,20:;\"}}}");
                patch(pod, "{\"spec\":{\"nodeName\":\"gpu-1\"}}");
                patch(pod, "{\"metadata\":{\"annotations\":{\"hami.io/bind-phase\":\"" + bindPhase + "\"}}}");
            }

            @Override
            public void onUpdate(Pod before, Pod after) {
            }

            @Override
            public void onDelete(Pod pod, boolean unknown) {
            }
        });
    }

    private void patch(Pod pod, String json) {
        client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                .patch(PatchContext.of(PatchType.JSON_MERGE), json);
    }

    @Override
    public void close() {
        informer.close();
    }
}
