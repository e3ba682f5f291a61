package dev.gpushare.common.seal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpushare.common.annotation.HamiKeys;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PlacementTrustTest {

    private static final PlacementSeal SEAL = new PlacementSeal(SealKey.of(new byte[] {
            1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29,
            30, 31, 32}));
    private static final String UID = "uid-1";
    private static final Map<String, String> UNSEALED = Map.of(HamiKeys.VGPU_NODE, "node-a",
            HamiKeys.DEVICES_ALLOCATED, "GPU-1,NVIDIA,1000,0:;");
    private static final Instant CUT_OFF = Instant.parse("2026-12-01T00:00:00Z");

    @Test
    void aSealedPlacementIsTrustedWhateverThePolicy() {
        Map<String, String> sealed = Map.of(HamiKeys.VGPU_NODE, "node-a", HamiKeys.DEVICES_ALLOCATED,
                "GPU-1,NVIDIA,1000,0:;", HamiKeys.PLACEMENT_SEAL, SEAL.seal(UID, "node-a", "GPU-1,NVIDIA,1000,0:;"));

        assertThat(new PlacementTrust(SEAL, PlacementTrust.UnsealedPolicy.none()).judge(UID, null, sealed))
                .isEqualTo(new PlacementTrust.Verdict.Trusted(true));
    }

    @Test
    void byDefaultAnUnsealedPlacementIsIgnoredNamingTheSeal() {
        assertThat(new PlacementTrust(SEAL, PlacementTrust.UnsealedPolicy.none()).judge(UID, CUT_OFF, UNSEALED))
                .isEqualTo(new PlacementTrust.Verdict.Ignored(PlacementTrust.Reason.UNSEALED,
                        "allocation not counted: it carries no gpushare.dev/placement-seal (not placed by this"
                                + " scheduler)"));
    }

    @Test
    void theCutOffTrustsOnlyPodsCreatedBeforeIt() {
        PlacementTrust trust = new PlacementTrust(SEAL,
                new PlacementTrust.UnsealedPolicy(false, Optional.of(CUT_OFF)));

        assertThat(trust.judge(UID, CUT_OFF.minusSeconds(1), UNSEALED))
                .isEqualTo(new PlacementTrust.Verdict.Trusted(false));
        assertThat(trust.judge(UID, CUT_OFF, UNSEALED)).isEqualTo(new PlacementTrust.Verdict.Ignored(
                PlacementTrust.Reason.UNSEALED, "allocation not counted: it carries no gpushare.dev/placement-seal"
                + " (not placed by this scheduler) and the pod was created after 2026-12-01T00:00:00Z, the cut-off"
                + " for unsealed allocations"));
        // No creationTimestamp: nothing proves the pod is older than the cut-off.
        assertThat(trust.judge(UID, null, UNSEALED)).isInstanceOf(PlacementTrust.Verdict.Ignored.class);
    }

    @Test
    void trustingAllUnsealedStillRefusesABadSeal() {
        PlacementTrust trust = new PlacementTrust(SEAL, new PlacementTrust.UnsealedPolicy(true, Optional.empty()));
        Map<String, String> copied = new java.util.HashMap<>(UNSEALED);
        copied.put(HamiKeys.PLACEMENT_SEAL, SEAL.seal("another-uid", "node-a", "GPU-1,NVIDIA,1000,0:;"));

        assertThat(trust.judge(UID, null, UNSEALED)).isEqualTo(new PlacementTrust.Verdict.Trusted(false));
        assertThat(trust.judge(UID, null, copied)).isEqualTo(new PlacementTrust.Verdict.Ignored(
                PlacementTrust.Reason.BAD_SEAL,
                "allocation not counted: the seal does not match this pod's UID, node and allocation"));
        assertThat(PlacementTrust.Reason.BAD_SEAL.label()).isEqualTo("bad_seal");
        assertThat(PlacementTrust.Reason.UNSEALED.label()).isEqualTo("unsealed");
    }
}
