package dev.gpushare.common.device;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import org.junit.jupiter.api.Test;

class NodeReadinessTest {

    @Test
    void theReadyConditionDecides() {
        assertThat(NodeReadiness.ready(node("MemoryPressure", "False", "Ready", "True"))).isTrue();
        assertThat(NodeReadiness.ready(node("Ready", "False"))).isFalse();
        assertThat(NodeReadiness.ready(node("Ready", "Unknown"))).isFalse();
        assertThat(NodeReadiness.ready(node("MemoryPressure", "False"))).isFalse();
        assertThat(NodeReadiness.ready(new NodeBuilder().withNewMetadata().withName("bare").endMetadata().build()))
                .isFalse();
    }

    private static Node node(String... typeThenStatus) {
        NodeBuilder builder = new NodeBuilder().withNewMetadata().withName("n").endMetadata();
        var status = builder.withNewStatus();
        for (int i = 0; i < typeThenStatus.length; i += 2) {
            status.addNewCondition().withType(typeThenStatus[i]).withStatus(typeThenStatus[i + 1]).endCondition();
        }
        return status.endStatus().build();
    }
}
