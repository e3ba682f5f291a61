package dev.gpushare.ops.preflight;

import dev.gpushare.common.annotation.GoTime;
import dev.gpushare.common.annotation.Handshake;
import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.common.annotation.MalformedAnnotationException;
import dev.gpushare.common.annotation.NodeRegisterCodec;
import dev.gpushare.common.annotation.NodeRegistration;
import dev.gpushare.common.device.NodeAllocatable;
import dev.gpushare.common.device.NodeReadiness;
import dev.gpushare.common.lock.NodeLockValue;
import dev.gpushare.ops.ClusterFacts;
import dev.gpushare.ops.GpuPods;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** GPU nodes (Ready, registered, handshake), node locks, and nodes in a driver upgrade. */
final class NodeChecks {

    private static final String GPU_RESOURCE = "nvidia.com/gpu";

    private NodeChecks() {
    }

    static List<Check> gpuNodes(List<Node> nodes, PreflightSettings settings, Instant now) {
        String name = "gpu-nodes";
        List<Check> problems = new ArrayList<>();
        int gpuNodes = 0;
        int gpus = 0;
        for (Node node : sorted(nodes)) {
            String register = annotations(node).get(HamiKeys.NODE_NVIDIA_REGISTER);
            if (register == null && !hasGpuResource(node)) {
                continue;
            }
            gpuNodes++;
            String who = "node " + node.getMetadata().getName();
            if (!NodeReadiness.ready(node)) {
                problems.add(Check.fail(name, who + " is not Ready"));
            }
            if (register == null) {
                problems.add(Check.fail(name, who + " has " + GPU_RESOURCE + " but no " + HamiKeys.NODE_NVIDIA_REGISTER
                        + ": the device plugin has not registered its GPUs"));
            } else {
                try {
                    NodeRegistration registration = NodeRegisterCodec.decode(register);
                    if (registration instanceof NodeRegistration.Registered registered) {
                        gpus += registered.devices().size();
                        long unhealthy = registered.devices().stream().filter(d -> !d.health()).count();
                        if (unhealthy > 0) {
                            problems.add(Check.warn(name, who + ": " + unhealthy + " of " + registered.devices().size()
                                    + " GPUs registered unhealthy"));
                        }
                    } else {
                        problems.add(Check.warn(name, who + " registers no GPU"));
                    }
                } catch (MalformedAnnotationException e) {
                    problems.add(Check.fail(name, who + ": " + HamiKeys.NODE_NVIDIA_REGISTER + " undecodable: "
                            + e.getMessage()));
                }
            }
            handshake(node, settings, now).ifPresent(problems::add);
        }
        if (gpuNodes == 0) {
            return List.of(Check.warn(name, "no node registers GPUs (" + HamiKeys.NODE_NVIDIA_REGISTER + ") or has "
                    + GPU_RESOURCE));
        }
        if (problems.isEmpty()) {
            return List.of(Check.pass(name, gpuNodes + " GPU nodes Ready and registered, " + gpus + " GPUs"));
        }
        return problems;
    }

    /** A {@code Requesting_} handshake the device plugin has not answered in time, or a {@code Deleted_} one. */
    private static Optional<Check> handshake(Node node, PreflightSettings settings, Instant now) {
        String value = annotations(node).get(HamiKeys.NODE_HANDSHAKE);
        if (value == null) {
            return Optional.empty();
        }
        String who = "node " + node.getMetadata().getName();
        try {
            Handshake handshake = Handshake.parse(value);
            if (handshake instanceof Handshake.Requesting requesting
                    && Duration.between(requesting.at(), now).compareTo(settings.handshakeMaxAge()) > 0) {
                return Optional.of(Check.warn("gpu-nodes", who + ": handshake '" + value
                        + "' not answered by the device plugin for " + age(requesting.at(), now)));
            }
            if (handshake instanceof Handshake.Deleted) {
                return Optional.of(Check.warn("gpu-nodes", who + ": handshake '" + value
                        + "': the scheduler dropped this node's devices"));
            }
            return Optional.empty();
        } catch (MalformedAnnotationException e) {
            return Optional.of(Check.warn("gpu-nodes", who + ": " + e.getMessage()));
        }
    }

    static List<Check> locks(ClusterFacts facts, PreflightSettings settings, Instant now) {
        String name = "node-locks";
        Set<String> pods = facts.pods().stream().map(GpuPods::key).collect(Collectors.toSet());
        List<Check> problems = new ArrayList<>();
        int held = 0;
        for (Node node : sorted(facts.nodes())) {
            String value = annotations(node).get(HamiKeys.NODE_LOCK);
            if (value == null) {
                continue;
            }
            held++;
            String who = "node " + node.getMetadata().getName();
            NodeLockValue lock;
            try {
                lock = NodeLockValue.parse(value);
            } catch (MalformedAnnotationException e) {
                problems.add(Check.fail(name, who + ": " + e.getMessage() + "; HAMi's scheduler never clears it, "
                        + "remove " + HamiKeys.NODE_LOCK + " by hand"));
                continue;
            }
            String owner = lock.owner().map(o -> o.namespace() + "/" + o.name()).orElse("nobody named");
            if (Duration.between(lock.time(), now).compareTo(settings.nodeLockExpire()) > 0) {
                problems.add(Check.warn(name, who + ": stale lock '" + value + "' held by " + owner + " for "
                        + age(lock.time(), now) + ", longer than the " + format(settings.nodeLockExpire())
                        + " expiry; the next bind to the node breaks it"));
            } else if (lock.owner().isPresent() && !pods.contains(owner)) {
                problems.add(Check.warn(name, who + ": orphaned lock '" + value + "': pod " + owner
                        + " no longer exists; the next bind to the node breaks it"));
            }
        }
        if (problems.isEmpty()) {
            return List.of(Check.pass(name, held + " node locks held, none stale, malformed or orphaned"));
        }
        return problems;
    }

    static List<Check> driverUpgrades(ClusterFacts facts) {
        String name = "driver-upgrade";
        List<Check> lines = new ArrayList<>();
        for (Node node : sorted(facts.nodes())) {
            Map<String, String> labels = node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
            String state = labels.getOrDefault(HamiKeys.GPU_DRIVER_UPGRADE_STATE, "");
            if (state.isEmpty() || HamiKeys.GPU_DRIVER_UPGRADE_DONE.equals(state)) {
                continue;
            }
            String nodeName = node.getMetadata().getName();
            String who = "node " + nodeName + " is in driver-upgrade state " + state;
            lines.add("upgrade-failed".equals(state)
                    ? Check.fail(name, who + ": the GPU Operator's upgrade failed; it gets no new GPU pods until fixed")
                    : Check.warn(name, who + ": it gets no new GPU pods until upgrade-done"));
            for (Pod pod : facts.pods().stream().filter(p -> !GpuPods.finished(p))
                    .filter(p -> nodeName.equals(GpuPods.annotations(p).get(HamiKeys.VGPU_NODE)))
                    .filter(p -> GpuPods.annotations(p).containsKey(HamiKeys.DEVICES_ALLOCATED))
                    .sorted(Comparator.comparing(GpuPods::key)).toList()) {
                lines.add(Check.warn(name, "pod " + GpuPods.key(pod) + " holds GPUs on node " + nodeName
                        + " (driver-upgrade state " + state + ")"));
            }
        }
        if (lines.isEmpty()) {
            return List.of(Check.pass(name, "no node in a GPU driver upgrade"));
        }
        return lines;
    }

    private static boolean hasGpuResource(Node node) {
        return NodeAllocatable.offers(node, GPU_RESOURCE);
    }

    private static Map<String, String> annotations(Node node) {
        return node.getMetadata().getAnnotations() == null ? Map.of() : node.getMetadata().getAnnotations();
    }

    private static List<Node> sorted(List<Node> nodes) {
        return nodes.stream().sorted(Comparator.comparing(n -> n.getMetadata().getName())).toList();
    }

    /** Whole seconds since {@code then}, in Go's duration style ({@code 12m30s}). */
    static String age(Instant then, Instant now) {
        return format(Duration.between(then, now));
    }

    static String format(Duration duration) {
        long seconds = duration.getSeconds();
        StringBuilder out = new StringBuilder();
        if (seconds >= 3600) {
            out.append(seconds / 3600).append('h');
        }
        if (seconds >= 60) {
            out.append(seconds % 3600 / 60).append('m');
        }
        return out.append(seconds % 60).append('s').toString();
    }

    static String time(Instant instant) {
        return GoTime.formatRfc3339(instant);
    }
}
