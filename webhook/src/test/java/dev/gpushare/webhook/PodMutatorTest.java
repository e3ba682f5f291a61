package dev.gpushare.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import dev.gpushare.placement.NamespaceQuota;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.api.Test;

class PodMutatorTest {

    @Test
    void neverModifiesItsInput() {
        Pod pod = new PodBuilder().withNewMetadata().withName("p").endMetadata().withNewSpec()
                .withSchedulerName("default-scheduler")
                .addNewContainer().withName("c").withNewResources().addToLimits("nvidia.com/gpu", new Quantity("1"))
                .addToLimits("nvidia.com/priority", new Quantity("1")).endResources().endContainer()
                .endSpec().build();
        Pod copy = new PodBuilder(pod).build();

        PodMutation mutation = new PodMutator(Reviews.config("nvidia:\n  gpuCorePolicy: force\n", true,
                dev.gpushare.common.annotation.AllocationEncoding.V2_8), QuotaLookup.UNLIMITED).mutate(pod, "ns");

        assertThat(mutation).isInstanceOf(PodMutation.Patch.class);
        assertThat(((PodMutation.Patch) mutation).operations()).hasSize(3);
        assertThat(pod).isEqualTo(copy);
    }

    @Test
    void quotaLookupGetsTheRequestNamespace() {
        List<String> asked = new ArrayList<>();
        PodMutator mutator = new PodMutator(Reviews.defaultConfig(), namespace -> {
            asked.add(namespace);
            return NamespaceQuota.NONE;
        });
        Pod gpuPod = new PodBuilder().withNewSpec().addNewContainer().withName("c").withNewResources()
                .addToLimits("nvidia.com/gpu", new Quantity("1")).endResources().endContainer().endSpec().build();
        Pod plainPod = new PodBuilder().withNewSpec().addNewContainer().withName("c").endContainer().endSpec().build();

        mutator.mutate(gpuPod, "team-a");
        mutator.mutate(plainPod, "team-b");

        assertThat(asked).containsExactly("team-a");
    }

    /** HAMi accepts an empty resourceMemoryName and then gives every GPU request the whole card's cores. */
    @Test
    void withoutAMemoryResourceAGpuRequestIsExclusive() {
        PodMutator mutator = new PodMutator(Reviews.config("nvidia:\n  resourceMemoryName: \"\"\n"
                + "  resourceMemoryPercentageName: \"\"\n", true,
                dev.gpushare.common.annotation.AllocationEncoding.V2_8), QuotaLookup.UNLIMITED);
        Pod pod = new PodBuilder().withNewSpec().addNewContainer().withName("c").withNewResources()
                .addToLimits("nvidia.com/gpu", new Quantity("1")).endResources().endContainer().endSpec().build();

        PodMutation mutation = mutator.mutate(pod, "ns");

        assertThat(mutation).isInstanceOf(PodMutation.Patch.class);
        assertThat(((PodMutation.Patch) mutation).operations()).anySatisfy(op -> assertThat(op.toString())
                .contains("/spec/containers/0/resources/limits/nvidia.com~1gpucores").contains("100"));
    }

    @Test
    void escapesJsonPointerTokens() {
        assertThat(JsonPatchOperation.escape("example.com/gpu~mem")).isEqualTo("example.com~1gpu~0mem");
        assertThat(JsonPatchOperation.escape("~1")).isEqualTo("~01");
    }
}
