package dev.gpushare.scheduler.extender;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;

/** What {@code /bind} reads of the cluster: from the informer cache, from the API when the cache has not seen it. */
public interface ClusterReads {

    /** The pod, or {@code null} when it does not exist. */
    Pod pod(String namespace, String name);

    boolean nodeExists(String name);

    /** The pods labelled {@code hami.io/vgpu-node=<node>}, from the API (not the cache): what is bound there now. */
    List<Pod> podsPlacedOn(String node);
}
