package dev.gpushare.placement;

import dev.gpushare.common.device.ContainerDevice;
import dev.gpushare.common.request.ContainerRequest;

import java.util.ArrayList;
import java.util.List;

/**
 * Decides whether one node can take the pod (kube-scheduler's Filter, spec 4.2): node-level checks, then each
 * container in allocation order on the same node, the usage of earlier containers visible to later ones.
 */
final class NodeFilter {

    sealed interface Verdict {
    }

    /** The node takes the pod; one device list per container, in allocation order. */
    record Fits(List<List<ContainerDevice>> containers) implements Verdict {
    }

    record Unfit(NodeRejection reason) implements Verdict {
    }

    private NodeFilter() {
    }

    static Verdict evaluate(PodPlan plan, NodeSnapshot node, boolean skipUpgradingNodes) {
        if (node.registrationProblem().isPresent()) {
            return new Unfit(NodeRejection.of(FailureReason.NODE_REGISTRATION_INVALID));
        }
        if (skipUpgradingNodes && node.driverUpgrading()) {
            return new Unfit(NodeRejection.of(FailureReason.NODE_DRIVER_UPGRADING));
        }
        NodeWorkspace ws = new NodeWorkspace(node);
        List<List<ContainerDevice>> containers = new ArrayList<>(plan.containers.size());
        for (ContainerRequest request : plan.containers) {
            if (!request.requestsGpu()) {
                containers.add(List.of());
                continue;
            }
            ContainerFit.Outcome outcome = ContainerFit.fit(ws, plan, request);
            if (outcome instanceof ContainerFit.Rejected rejected) {
                return new Unfit(rejected.reason());
            }
            containers.add(ws.commit(((ContainerFit.Accepted) outcome).choices()));
        }
        return new Fits(containers);
    }
}
