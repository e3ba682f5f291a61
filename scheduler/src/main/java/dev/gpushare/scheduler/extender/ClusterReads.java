package dev.gpushare.scheduler.extender;

import io.fabric8.kubernetes.api.model.Pod;

/** What {@code /bind} reads of the cluster: from the informer cache, from the API when the cache has not seen it. */
public interface ClusterReads {

    /** The pod, or {@code null} when it does not exist. */
    Pod pod(String namespace, String name);

    boolean nodeExists(String name);
}
