package dev.gpushare.scheduler.extender;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;

/** What {@code /bind} reads of the cluster. */
public interface ClusterReads {

    /** The pod as the API has it now (never a cache, which may not have seen a bind yet), or {@code null}. */
    Pod pod(String namespace, String name);

    /** Whether the node exists (the informer cache, then the API). */
    boolean nodeExists(String name);

    /**
     * The pods bound to the node, from the API (not the cache): field selector {@code spec.nodeName=<node>}, as
     * HAMi's device plugin lists them. Not the {@code hami.io/vgpu-node} label, which our binder writes only after
     * the Binding (and which a failed label patch leaves out).
     */
    List<Pod> podsBoundTo(String node);
}
