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
                  SortedMap<String, String> failedNodes) implements PlacementResult {
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
    record Unschedulable(SortedMap<String, String> failedNodes) implements PlacementResult {
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

    private static SortedMap<String, String> sortedCopy(Map<String, String> failedNodes) {
        return Collections.unmodifiableSortedMap(new TreeMap<>(failedNodes));
    }
}
