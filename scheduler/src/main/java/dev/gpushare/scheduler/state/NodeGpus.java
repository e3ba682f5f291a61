package dev.gpushare.scheduler.state;

import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.common.annotation.MalformedAnnotationException;
import dev.gpushare.common.annotation.NodeRegisterCodec;
import dev.gpushare.common.annotation.NodeRegistration;
import dev.gpushare.common.annotation.PairScoreCodec;
import dev.gpushare.common.device.DeviceInfo;
import dev.gpushare.common.device.NodeAllocatable;
import io.fabric8.kubernetes.api.model.Node;
import java.util.List;
import java.util.Map;

/**
 * What a node offers for GPU placement, read from its register annotation and its allocatable GPU count (spec 5.2,
 * with DESIGN.md's changes: re-read on every change of either; allocatable 0 or absent means not registered; an
 * undecodable registration makes only that node unfit, with its own reason).
 */
public sealed interface NodeGpus {

    /** The node takes GPU pods. */
    record Registered(List<DeviceInfo> devices, Map<String, Map<String, Integer>> pairScores) implements NodeGpus {
        public Registered {
            devices = List.copyOf(devices);
            pairScores = Map.copyOf(pairScores);
        }
    }

    /** The node has no GPUs for us ({@code node unregistered} in {@code FailedNodes}); {@code why} is for logs. */
    record Unregistered(String why) implements NodeGpus {
    }

    /** The registration is there but cannot be decoded: the node is unfit with {@code problem}. */
    record Invalid(String problem, String value) implements NodeGpus {
    }

    static NodeGpus of(Node node, String countResource) {
        Map<String, String> annotations = node.getMetadata().getAnnotations() == null ? Map.of()
                : node.getMetadata().getAnnotations();
        if (!NodeAllocatable.offers(node, countResource)) {
            return new Unregistered("allocatable " + countResource + " is 0 or absent");
        }
        String register = annotations.get(HamiKeys.NODE_NVIDIA_REGISTER);
        if (register == null) {
            return new Unregistered("no " + HamiKeys.NODE_NVIDIA_REGISTER + " annotation");
        }
        NodeRegistration registration;
        try {
            registration = NodeRegisterCodec.decode(register);
        } catch (MalformedAnnotationException e) {
            return new Invalid(e.getMessage(), register);
        }
        if (!(registration instanceof NodeRegistration.Registered registered)) {
            return new Unregistered("the device plugin registered no GPU");
        }
        String scores = annotations.get(HamiKeys.NODE_NVIDIA_SCORE);
        if (scores == null) {
            return new Registered(registered.devices(), Map.of());
        }
        try {
            return new Registered(registered.devices(), PairScoreCodec.decode(scores));
        } catch (MalformedAnnotationException e) {
            return new Invalid(e.getMessage(), scores);
        }
    }
}
