package dev.gpushare.scheduler.state;

import dev.gpushare.placement.NamespaceQuota;
import dev.gpushare.placement.NodeSnapshot;
import java.util.List;
import java.util.Map;

/**
 * An immutable picture of the ledger at one moment, for readers outside the verbs (metrics at scrape time, a
 * status page at render time): it shares the placement snapshots the verbs use, so taking one costs a map of
 * references, not a copy of the state.
 *
 * @param nodes  every registered GPU node (and every node whose registration is invalid) by name, with its
 *               devices and per-GPU usage
 * @param pods   per node, the entries counted on it (reservations and bound pods); each names its GPUs
 * @param quotas per namespace with a GPU quota, its limits and what its pods hold
 */
public record LedgerView(Map<String, NodeSnapshot> nodes, Map<String, List<PodEntry>> pods,
                         Map<String, NamespaceQuota> quotas) {

    public LedgerView {
        nodes = Map.copyOf(nodes);
        pods = Map.copyOf(pods);
        quotas = Map.copyOf(quotas);
    }

    /** The entries holding the GPU {@code uuid} of {@code node}. */
    public List<PodEntry> podsOn(String node, String uuid) {
        return pods.getOrDefault(node, List.of()).stream()
                .filter(e -> e.allocation().devices().stream().anyMatch(d -> d.uuid().equals(uuid))).toList();
    }
}
