package dev.gpushare.scheduler.leader;

import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.common.lock.NodeLockValue;
import dev.gpushare.scheduler.embedded.EmbeddedClusterSeeder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/** A GPU node whose node lock a running pod ({@code <namespace>/holder}) holds, so that binds to it wait. */
final class HeldNodeLock {

    private HeldNodeLock() {
    }

    /** Creates node {@code name} (one A100 with {@code slots} slots) locked by pod holder; returns the lock value. */
    static String create(KubernetesClient client, String namespace, String name, int slots) {
        String held = NodeLockValue.heldBy(Instant.now(), namespace, "holder").format();
        Node node = EmbeddedClusterSeeder.gpuNode(name, 1, "NVIDIA A100", 40000, slots);
        Map<String, String> annotations = new HashMap<>(node.getMetadata().getAnnotations());
        annotations.put(HamiKeys.NODE_LOCK, held);
        node.getMetadata().setAnnotations(annotations);
        client.nodes().resource(node).create();
        client.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withNamespace(namespace)
                .withName("holder").endMetadata().withNewSpec().withNodeName(name).addNewContainer()
                .withName("c").withImage("cuda").endContainer().endSpec().withNewStatus().withPhase("Running")
                .endStatus().build()).create();
        return held;
    }
}
