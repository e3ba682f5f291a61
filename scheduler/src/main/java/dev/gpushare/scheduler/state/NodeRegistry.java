package dev.gpushare.scheduler.state;

import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.common.device.PodAllocation;
import dev.gpushare.placement.NodeSnapshot;
import dev.gpushare.placement.NodeSnapshotFactory;
import io.fabric8.kubernetes.api.model.Node;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The nodes as the informers show them (labels and what they offer for GPUs) and the placement snapshot of each,
 * built when first asked for and kept until the node's devices or its pods change. Written only under
 * {@link ClusterState}'s lock; the views may be read without it (the reconcile compares them outside the lock).
 */
final class NodeRegistry {

    /**
     * A node as the registry keeps it.
     *
     * @param cordoned GPU UUIDs of {@code hami.io/device-cordon}
     */
    record NodeView(Map<String, String> labels, Set<String> cordoned, NodeGpus gpus) {
    }

    private final NodeSnapshotFactory snapshotFactory;
    private final String countResource;
    private final Map<String, NodeView> views = new ConcurrentHashMap<>();
    private final Map<String, NodeSnapshot> snapshots = new HashMap<>();

    NodeRegistry(NodeSnapshotFactory snapshotFactory, String countResource) {
        this.snapshotFactory = snapshotFactory;
        this.countResource = countResource;
    }

    /** What the node offers, decoded from its annotations and allocatable (no lock needed). */
    NodeView viewOf(Node node) {
        Map<String, String> labels = node.getMetadata().getLabels();
        Map<String, String> annotations = node.getMetadata().getAnnotations();
        return new NodeView(labels == null ? Map.of() : Map.copyOf(labels),
                NodeSnapshotFactory.cordoned(annotations == null ? null : annotations.get(HamiKeys.DEVICE_CORDON)),
                NodeGpus.of(node, countResource));
    }

    NodeView view(String name) {
        return views.get(name);
    }

    Collection<String> names() {
        return views.keySet();
    }

    void put(String name, NodeView view) {
        if (!view.equals(views.put(name, view))) {
            snapshots.remove(name);
        }
    }

    void remove(String name) {
        views.remove(name);
        snapshots.remove(name);
    }

    /** The node's pods changed: its snapshot is built again when next asked for. */
    void invalidate(String name) {
        snapshots.remove(name);
    }

    /**
     * The snapshot of a node for placement, or {@code null} when it is not a registered GPU node.
     *
     * @param allocations the allocations the ledger counts on a node
     */
    NodeSnapshot snapshot(String name, Function<String, List<PodAllocation>> allocations) {
        NodeSnapshot cached = snapshots.get(name);
        if (cached != null) {
            return cached;
        }
        NodeView view = views.get(name);
        if (view == null) {
            return null;
        }
        NodeSnapshot built;
        if (view.gpus() instanceof NodeGpus.Registered registered) {
            built = snapshotFactory.snapshot(name, view.labels(), view.cordoned(), registered.devices(),
                    registered.pairScores(), allocations.apply(name));
        } else if (view.gpus() instanceof NodeGpus.Invalid invalid) {
            built = snapshotFactory.unregistrable(name, view.labels(), invalid.problem());
        } else {
            return null;
        }
        snapshots.put(name, built);
        return built;
    }
}
