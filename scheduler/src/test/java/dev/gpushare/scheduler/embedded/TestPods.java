package dev.gpushare.scheduler.embedded;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Map;

/** Pods as a user writes them: no namespace, no scheduler name, no status. */
final class TestPods {

    private TestPods() {
    }

    static Pod gpuPod(String name, int memoryMib) {
        return new PodBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().addNewContainer().withName("cuda").withImage("cuda")
                .withNewResources().withLimits(Map.of("nvidia.com/gpu", new Quantity("1"),
                        "nvidia.com/gpumem", new Quantity(Integer.toString(memoryMib)))).endResources()
                .endContainer().endSpec().build();
    }
}
