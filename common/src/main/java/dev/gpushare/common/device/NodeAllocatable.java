package dev.gpushare.common.device;

import dev.gpushare.common.request.KubeQuantity;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Quantity;

import java.math.BigDecimal;

/** Whether a node offers a resource, as the kubelet reports it in {@code status.allocatable}. */
public final class NodeAllocatable {

    private NodeAllocatable() {
    }

    /**
     * True when the node's allocatable {@code resource} (e.g. {@code nvidia.com/gpu}, which the device plugin
     * registers) is above 0; absent, 0, negative or not a quantity we read counts as none.
     */
    public static boolean offers(Node node, String resource) {
        if (node.getStatus() == null || node.getStatus().getAllocatable() == null) {
            return false;
        }
        Quantity quantity = node.getStatus().getAllocatable().get(resource);
        return quantity != null
                && KubeQuantity.valueOf(quantity).map(value -> value.compareTo(BigDecimal.ZERO) > 0).orElse(false);
    }
}
