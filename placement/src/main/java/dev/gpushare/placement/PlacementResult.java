package dev.gpushare.placement;

import dev.gpushare.common.device.PodAllocation;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/** The outcome of {@link PlacementEngine#place}. */
public sealed interface PlacementResult {

    /**
     * The pod fits: it goes to {@code node} with {@code allocation}.
     *
     * @param node        the chosen node
     * @param allocation  one entry per container in the encoding's order ({@code v2.9}: init containers first),
     *                    empty for containers without GPUs; ready for the allocation codec
     * @param fitting     every candidate that could take the pod with its node score (spec 4.4, usage before this
     *                    pod), in the node policy's order of preference: the chosen node first
     * @param failedNodes the candidates that could not take the pod, by name, with their reasons
     */
    record Placed(String node, PodAllocation allocation, List<NodeScore> fitting,
                  SortedMap<String, NodeRejection> failedNodes) implements PlacementResult {
        public Placed {
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(allocation, "allocation");
            fitting = List.copyOf(fitting);
            if (fitting.isEmpty() || !fitting.get(0).node().equals(node)) {
                throw new IllegalArgumentException("the chosen node " + node + " must come first in " + fitting);
            }
            failedNodes = sortedCopy(failedNodes);
        }

        /** The node score of the chosen node. */
        public float score() {
            return fitting.get(0).score();
        }
    }

    /** A node that can take the pod, with its node score. */
    record NodeScore(String node, float score) {
    }

    /** No candidate can take the pod; every candidate's reasons, by node name (empty when there were none). */
    record Unschedulable(SortedMap<String, NodeRejection> failedNodes) implements PlacementResult {
        public Unschedulable {
            failedNodes = sortedCopy(failedNodes);
        }
    }

    /** The pod cannot be placed anywhere as written (e.g. an unknown policy value); {@code message} says why. */
    record InvalidPod(String message) implements PlacementResult {
        public InvalidPod {
            Objects.requireNonNull(message, "message");
        }
    }

    /** The pod asks for no GPU: as far as GPUs go, every candidate fits (spec 4.1 step 1). */
    record NoGpuRequested() implements PlacementResult {
    }

    /**
     * This result with {@code more} rejected nodes besides the engine's (e.g. candidates that have no snapshot
     * because they are not registered GPU nodes).
     */
    default PlacementResult withRejected(Map<String, NodeRejection> more) {
        if (more.isEmpty()) {
            return this;
        }
        if (this instanceof Placed p) {
            return new Placed(p.node(), p.allocation(), p.fitting(), merged(p.failedNodes(), more));
        }
        if (this instanceof Unschedulable u) {
            return new Unschedulable(merged(u.failedNodes(), more));
        }
        return this;
    }

    private static SortedMap<String, NodeRejection> merged(Map<String, NodeRejection> a,
                                                           Map<String, NodeRejection> b) {
        TreeMap<String, NodeRejection> all = new TreeMap<>(a);
        all.putAll(b);
        return all;
    }

    private static SortedMap<String, NodeRejection> sortedCopy(Map<String, NodeRejection> failedNodes) {
        return Collections.unmodifiableSortedMap(new TreeMap<>(failedNodes));
    }
}
