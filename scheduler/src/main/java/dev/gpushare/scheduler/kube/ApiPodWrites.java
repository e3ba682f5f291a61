package dev.gpushare.scheduler.kube;

import dev.gpushare.common.annotation.BindPhase;
import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.scheduler.extender.PodWrites;
import dev.gpushare.scheduler.state.InformerLag;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;

/** The verbs' pod writes as JSON merge patches through the API. */
public final class ApiPodWrites implements PodWrites {

    private final KubernetesClient client;
    private final InformerLag lag;

    /** @param lag awaits each written version from the pod informer */
    public ApiPodWrites(KubernetesClient client, InformerLag lag) {
        this.client = client;
        this.lag = lag;
    }

    @Override
    public void writePlacement(String namespace, String name, String node, String allocation, String seal,
                               Instant filteredAt) {
        lag.wrote(MergePatch.metadata()
                .annotation(HamiKeys.VGPU_NODE, node)
                .annotation(HamiKeys.VGPU_TIME, Long.toString(filteredAt.getEpochSecond()))
                .annotation(HamiKeys.DEVICES_TO_ALLOCATE, allocation)
                .annotation(HamiKeys.DEVICES_ALLOCATED, allocation)
                .annotation(HamiKeys.PLACEMENT_SEAL, seal)
                .applyToPod(client, namespace, name));
    }

    @Override
    public void markAllocating(String namespace, String name, Instant at) {
        lag.wrote(MergePatch.metadata()
                .annotation(HamiKeys.BIND_PHASE, BindPhase.ALLOCATING.value())
                .annotation(HamiKeys.BIND_TIME, Long.toString(at.getEpochSecond()))
                .applyToPod(client, namespace, name));
    }

    @Override
    public void clearBindPhase(String namespace, String name) {
        lag.wrote(MergePatch.metadata().annotation(HamiKeys.BIND_PHASE, null).annotation(HamiKeys.BIND_TIME, null)
                .applyToPod(client, namespace, name));
    }

    @Override
    public void labelBound(String namespace, String name, String node) {
        lag.wrote(MergePatch.metadata().label(HamiKeys.VGPU_NODE, node).applyToPod(client, namespace, name));
    }
}
