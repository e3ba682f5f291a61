package dev.gpushare.scheduler.gpuview;

import dev.gpushare.placement.NodeSnapshot;
import dev.gpushare.scheduler.state.ClusterInformers;
import dev.gpushare.scheduler.state.ClusterState;
import dev.gpushare.scheduler.state.PodEntry;
import io.fabric8.kubernetes.api.model.Node;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The ledger of {@link ClusterState}: the snapshot of every cached node that is a GPU node, and its entries. */
final class ClusterStateLedger implements LedgerReader {

    private final ClusterState state;
    private final ClusterInformers informers;

    ClusterStateLedger(ClusterState state, ClusterInformers informers) {
        this.state = state;
        this.informers = informers;
    }

    @Override
    public GpuPage.Ledger read() {
        Map<String, NodeSnapshot> nodes = new HashMap<>();
        for (Node node : informers.cachedNodes()) {
            NodeSnapshot snapshot = state.snapshotOf(node.getMetadata().getName());
            if (snapshot != null) {
                nodes.put(snapshot.name(), snapshot);
            }
        }
        Map<String, List<PodEntry>> pods = new HashMap<>();
        for (PodEntry entry : state.entries()) {
            pods.computeIfAbsent(entry.node(), n -> new ArrayList<>()).add(entry);
        }
        return new GpuPage.Ledger(nodes, pods);
    }
}
