package dev.gpushare.scheduler.admission;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpushare.common.config.DeviceConfig;
import dev.gpushare.common.request.PodRequestParser;
import dev.gpushare.placement.NodeSnapshotFactory;
import dev.gpushare.placement.PlacementEngine;
import dev.gpushare.placement.PlacementResult;
import dev.gpushare.scheduler.state.InformerStores;
import dev.gpushare.common.request.PodRequest;
import dev.gpushare.placement.PlacementRequest;
import dev.gpushare.placement.PlacementSettings;
import dev.gpushare.scheduler.embedded.EmbeddedClusterSeeder;
import dev.gpushare.scheduler.state.ClusterState;
import dev.gpushare.scheduler.support.TestObjects;
import dev.gpushare.scheduler.support.TestSeals;
import dev.gpushare.webhook.QuotaHeadroom;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The webhook reads the ledger's quota headroom in the ledger's units: memory times memoryFactor. */
class ClusterStateQuotaLookupTest {

    private static final PlacementEngine ENGINE = new PlacementEngine(PlacementSettings.defaults());

    private static final int MEMORY_FACTOR = 2;

    private final ClusterState state = new ClusterState(
            new NodeSnapshotFactory(List.of()), new ClusterState.Settings("nvidia.com/gpu", "nvidia.com/gpumem",
                    "nvidia.com/gpucores", MEMORY_FACTOR, Duration.ofMinutes(2)), TestSeals.TRUST,
                    Clock.systemUTC());
    private final ClusterStateQuotaLookup lookup = new ClusterStateQuotaLookup(state);
    private final List<Node> nodes = new ArrayList<>(List.of(
            EmbeddedClusterSeeder.gpuNode("n1", 2, "NVIDIA T4", 16000, 4)));
    private final List<ResourceQuota> quotas = new ArrayList<>();

    private static ResourceQuota quota(String namespace, Map<String, String> hard) {
        ResourceQuotaBuilder builder = new ResourceQuotaBuilder().withNewMetadata().withName("gpu")
                .withNamespace(namespace).endMetadata().withNewSpec().endSpec();
        hard.forEach((resource, value) -> builder.editSpec().addToHard(resource, new Quantity(value)).endSpec());
        return builder.build();
    }

    private void sync() {
        state.rebuild(InformerStores.of(nodes, List.of(), quotas), true);
    }

    private void reserve(Pod pod) throws Exception {
        PodRequestParser parser = new PodRequestParser(DeviceConfig.parse("nvidia:\n  memoryFactor: "
                + MEMORY_FACTOR + "\n"));
        pod.getMetadata().setUid("uid-" + pod.getMetadata().getName());
        PodRequest request = parser.parse(pod);
        PlacementResult result = state.placeAndReserve(pod.getMetadata().getUid(), pod.getMetadata().getNamespace(),
                pod.getMetadata().getName(), List.of("n1"), (candidates, quota) -> ENGINE.place(
                        new PlacementRequest(pod.getMetadata().getNamespace(), pod.getMetadata().getName(), request,
                                Map.of(), quota), candidates));
        assertThat(result).isInstanceOf(PlacementResult.Placed.class);
    }

    @Test
    void headroomIsTheLimitTimesMemoryFactorMinusWhatTheNamespaceHolds() throws Exception {
        quotas.add(quota("team-a", Map.of("limits.nvidia.com/gpumem", "3000", "limits.nvidia.com/gpucores", "150")));
        sync();
        reserve(TestObjects.gpuPod("team-a", "p1", 1, 1000, 30));
        reserve(TestObjects.gpuPod("team-b", "p2", 1, 1000, 30));

        assertThat(lookup.remaining("team-a")).isEqualTo(new QuotaHeadroom.Known(OptionalLong.of(3000 * 2 - 1000 * 2),
                OptionalLong.of(150 - 30)));
    }

    @Test
    void onlyTheResourcesWithALimitHaveHeadroom() throws Exception {
        quotas.add(quota("cores-only", Map.of("limits.nvidia.com/gpucores", "50", "limits.cpu", "4")));
        sync();
        reserve(TestObjects.gpuPod("cores-only", "p1", 1, 1000, 30));

        assertThat(lookup.remaining("cores-only")).isEqualTo(new QuotaHeadroom.Known(OptionalLong.empty(),
                OptionalLong.of(20)));
        assertThat(lookup.remaining("no-quota")).isEqualTo(QuotaHeadroom.UNLIMITED);
    }

    @Test
    void usageAboveTheLimitLeavesNegativeHeadroom() throws Exception {
        sync();
        reserve(TestObjects.gpuPod("shrunk", "p1", 1, 1000, 30));
        state.applyQuota(quota("shrunk", Map.of("limits.nvidia.com/gpumem", "600")));

        assertThat(((QuotaHeadroom.Known) lookup.remaining("shrunk")).memoryMiB()).hasValue(600 * 2 - 1000 * 2);
    }

    /** Not synced: the lookup says it cannot tell, and the webhook turns that into the user's warning. */
    @Test
    void anUnsyncedLedgerCannotTell() {
        state.applyQuota(quota("team-a", Map.of("limits.nvidia.com/gpumem", "1")));
        QuotaHeadroom unknown = new QuotaHeadroom.Unknown(
                "this scheduler replica is a follower or has not synced its ledger yet");

        assertThat(lookup.remaining("team-a")).isEqualTo(unknown);

        sync();
        assertThat(lookup.remaining("team-a")).isInstanceOf(QuotaHeadroom.Known.class);
        state.markUnsynced();
        assertThat(lookup.remaining("team-a")).isEqualTo(unknown);
    }
}
