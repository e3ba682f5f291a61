package dev.gpushare.common.device;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;

/** Whether the kubelet reports a node Ready, as kube-scheduler reads it: the first {@code Ready} condition decides. */
public final class NodeReadiness {

    private NodeReadiness() {
    }

    /** True only when the node's {@code Ready} condition is {@code True}; a node without one is not ready. */
    public static boolean ready(Node node) {
        if (node.getStatus() == null || node.getStatus().getConditions() == null) {
            return false;
        }
        for (NodeCondition condition : node.getStatus().getConditions()) {
            if ("Ready".equals(condition.getType())) {
                return "True".equals(condition.getStatus());
            }
        }
        return false;
    }
}
