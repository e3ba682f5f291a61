package dev.gpushare.common.device;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class NodeAllocatableTest {

    private static Node allocatable(String gpus) {
        return new NodeBuilder().withNewMetadata().withName("n").endMetadata().withNewStatus()
                .withAllocatable(Map.of("nvidia.com/gpu", new Quantity(gpus))).endStatus().build();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"2,true", "1k,true", "500m,true", "0,false", "-1,false", "two,false", "1e,false",
        "1111111111111111111111111111111111111111111,false"})
    void aNodeOffersTheResourceWhenItsAllocatableQuantityIsPositive(String gpus, boolean offers) {
        assertThat(NodeAllocatable.offers(allocatable(gpus), "nvidia.com/gpu")).isEqualTo(offers);
    }

    @Test
    void aNodeWithoutTheResourceOrStatusOffersNone() {
        assertThat(NodeAllocatable.offers(allocatable("8"), "example.com/vgpu")).isFalse();
        assertThat(NodeAllocatable.offers(new NodeBuilder().withNewMetadata().withName("n").endMetadata().build(),
                "nvidia.com/gpu")).isFalse();
    }
}
