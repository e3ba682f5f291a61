package dev.gpushare.scheduler.extender;

import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.scheduler.state.ClusterInformers;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;

/** Reads from the informer stores, falling back to the API for what they have not seen (yet); lists from the API. */
public final class CachedClusterReads implements ClusterReads {

    private final ClusterInformers informers;
    private final KubernetesClient client;

    public CachedClusterReads(ClusterInformers informers, KubernetesClient client) {
        this.informers = informers;
        this.client = client;
    }

    @Override
    public Pod pod(String namespace, String name) {
        return informers.cachedPod(namespace, name)
                .orElseGet(() -> client.pods().inNamespace(namespace).withName(name).get());
    }

    @Override
    public boolean nodeExists(String name) {
        return informers.cachedNode(name).isPresent() || client.nodes().withName(name).get() != null;
    }

    @Override
    public List<Pod> podsPlacedOn(String node) {
        return client.pods().inAnyNamespace().withLabel(HamiKeys.VGPU_NODE, node).list().getItems();
    }
}
