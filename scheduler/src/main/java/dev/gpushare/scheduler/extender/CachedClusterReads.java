package dev.gpushare.scheduler.extender;

import dev.gpushare.scheduler.state.ClusterInformers;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;

/** Pods from the API; nodes from the informer store, falling back to the API for one it has not seen (yet). */
public final class CachedClusterReads implements ClusterReads {

    private final ClusterInformers informers;
    private final KubernetesClient client;

    public CachedClusterReads(ClusterInformers informers, KubernetesClient client) {
        this.informers = informers;
        this.client = client;
    }

    @Override
    public Pod pod(String namespace, String name) {
        return client.pods().inNamespace(namespace).withName(name).get();
    }

    @Override
    public boolean nodeExists(String name) {
        return informers.cachedNode(name).isPresent() || client.nodes().withName(name).get() != null;
    }

    @Override
    public List<Pod> podsBoundTo(String node) {
        return client.pods().inAnyNamespace().withField("spec.nodeName", node).list().getItems();
    }
}
