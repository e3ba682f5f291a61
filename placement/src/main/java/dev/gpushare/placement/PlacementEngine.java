package dev.gpushare.placement;

import dev.gpushare.common.device.ContainerDevice;
import dev.gpushare.common.device.PodAllocation;
import dev.gpushare.placement.PlacementResult.NodeScore;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Places one pod onto one of the candidate nodes: which node, and which GPUs each container gets (spec 4), or why
 * each node cannot take it. Pure and stateless apart from its settings: safe to call from many threads at once.
 *
 * <p>Shaped like kube-scheduler's framework: {@link PodPlan} is the PreFilter (per-pod state computed once),
 * {@link NodeFilter} the Filter (per node, on an immutable {@link NodeSnapshot}), and the node policy the Score.
 * The result does not depend on the order of the candidates: nodes with equal scores are decided by name.
 */
public final class PlacementEngine {

    private final PlacementSettings settings;

    public PlacementEngine(PlacementSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * @param candidates snapshots of the nodes kube-scheduler offers, names unique
     */
    public PlacementResult place(PlacementRequest request, List<NodeSnapshot> candidates) {
        if (!request.request().requestsAnyGpu()) {
            return new PlacementResult.NoGpuRequested();
        }
        PodPlan plan;
        try {
            plan = PodPlan.prepare(request, settings);
        } catch (InvalidPodException e) {
            return new PlacementResult.InvalidPod(
                    "pod " + request.namespace() + "/" + request.name() + ": " + e.getMessage());
        }
        Comparator<NodeScore> preference = preference(plan.nodePolicy);
        TreeMap<String, NodeRejection> failed = new TreeMap<>();
        List<NodeScore> fitting = new ArrayList<>();
        NodeScore best = null;
        List<List<ContainerDevice>> bestContainers = null;
        for (NodeSnapshot node : candidates) {
            NodeFilter.Verdict verdict = NodeFilter.evaluate(plan, node, settings.skipUpgradingNodes());
            if (verdict instanceof NodeFilter.Fits fits) {
                NodeScore scored = new NodeScore(node.name(), node.score());
                fitting.add(scored);
                if (best == null || preference.compare(scored, best) < 0) {
                    best = scored;
                    bestContainers = fits.containers();
                }
            } else {
                failed.put(node.name(), ((NodeFilter.Unfit) verdict).reason());
            }
        }
        if (best == null) {
            return new PlacementResult.Unschedulable(failed);
        }
        fitting.sort(preference);
        return new PlacementResult.Placed(best.node(), new PodAllocation(bestContainers), fitting, failed);
    }

    /** Binpack: the higher node score first; spread: the lower; equal scores: the name that sorts first. */
    private static Comparator<NodeScore> preference(NodePolicy policy) {
        Comparator<NodeScore> byScore = (a, b) -> Float.compare(a.score(), b.score());
        return (policy == NodePolicy.BINPACK ? byScore.reversed() : byScore).thenComparing(NodeScore::node);
    }
}
