package dev.gpushare.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

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
            return QuotaHeadroom.UNLIMITED;
        });
        Pod gpuPod = new PodBuilder().withNewSpec().addNewContainer().withName("c").withNewResources()
                .addToLimits("nvidia.com/gpu", new Quantity("1")).endResources().endContainer().endSpec().build();
        Pod plainPod = new PodBuilder().withNewSpec().addNewContainer().withName("c").endContainer().endSpec().build();

        mutator.mutate(gpuPod, "team-a");
        mutator.mutate(plainPod, "team-b");

        assertThat(asked).containsExactly("team-a");
    }

    /**
     * The warning comes only when there was something to check: a pod whose GPU memory and cores both count 0 at
     * admission (percentage-only memory, shared cores) cannot exceed a quota, so the lookup is not even asked.
     */
    @Test
    void anUncheckableQuotaWarnsOnlyPodsThatCountAgainstIt() {
        List<String> asked = new ArrayList<>();
        PodMutator mutator = new PodMutator(Reviews.defaultConfig(), namespace -> {
            asked.add(namespace);
            return new QuotaHeadroom.Unknown("not synced");
        });
        Pod memory = gpuPod("nvidia.com/gpumem", "3000");
        Pod cores = gpuPod("nvidia.com/gpucores", "30");
        Pod percentage = gpuPod("nvidia.com/gpumem-percentage", "50");

        String warning = "GPU quota of namespace team-a not checked at admission (not synced): the scheduler checks"
                + " it before placing the pod";
        assertThat(((PodMutation.Patch) mutator.mutate(memory, "team-a")).warnings()).containsExactly(warning);
        assertThat(((PodMutation.Patch) mutator.mutate(cores, "team-a")).warnings()).containsExactly(warning);
        assertThat(((PodMutation.Patch) mutator.mutate(percentage, "team-b")).warnings()).isEmpty();
        assertThat(asked).containsExactly("team-a", "team-a");
    }

    @Test
    void aKnownQuotaStillRefusesAndWarnsNobody() {
        PodMutator mutator = new PodMutator(Reviews.defaultConfig(), namespace -> new QuotaHeadroom.Known(
                java.util.OptionalLong.of(2000), java.util.OptionalLong.empty()));

        assertThat(mutator.mutate(gpuPod("nvidia.com/gpumem", "3000"), "team-a"))
                .isEqualTo(new PodMutation.Deny(DenialReason.QUOTA_EXCEEDED, "exceeding resource quota: pod requests"
                        + " 3000 MiB of nvidia.com/gpumem in total, namespace team-a has 2000 MiB left under"
                        + " limits.nvidia.com/gpumem"));
        assertThat(((PodMutation.Patch) mutator.mutate(gpuPod("nvidia.com/gpumem", "1000"), "team-a")).warnings())
                .isEmpty();
    }

    private static Pod gpuPod(String resource, String amount) {
        return new PodBuilder().withNewSpec().addNewContainer().withName("c").withNewResources()
                .addToLimits("nvidia.com/gpu", new Quantity("1")).addToLimits(resource, new Quantity(amount))
                .endResources().endContainer().endSpec().build();
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
