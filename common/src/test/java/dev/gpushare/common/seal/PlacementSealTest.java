package dev.gpushare.common.seal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gpushare.common.annotation.HamiKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlacementSealTest {

    private static final SealKey KEY =
            SealKey.of("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
    private static final String UID = "7d4c1a52-0f3e-4b8e-9a51-3c2f1e0d9b77";
    private static final String ALLOCATED = "GPU-0a1b,NVIDIA,4000,30:;";

    private final PlacementSeal seal = new PlacementSeal(KEY);

    @Test
    void theSealIsAnHmacOverUidNodeAndAllocationWithAVersionPrefix() {
        // Fixed key and input, value computed independently (Python's hmac): the format is pinned, a change would
        // orphan every sealed pod. Input: "v1:" then each field as <UTF-8 length>:<bytes>.
        assertThat(seal.seal(UID, "node-a1", ALLOCATED)).isEqualTo("v1:TLzlwOafiimAol6N4CcbTVXRPgILm7rvj7IpeUIZRdE");
    }

    @Test
    void aSealVerifiesOnlyForItsOwnPodNodeAndAllocation() {
        Map<String, String> placed = placement(UID, "node-a1", ALLOCATED);

        assertThat(seal.check(UID, placed)).isEqualTo(new SealCheck.Valid());
        // Copied onto another pod (another UID): the API server chose the UID, the copier cannot.
        assertThat(seal.check("11111111-2222-3333-4444-555555555555", placed))
                .isEqualTo(new SealCheck.BadSeal("the seal does not match this pod's UID, node and allocation"));
        Map<String, String> moved = new HashMap<>(placed);
        moved.put(HamiKeys.VGPU_NODE, "node-b2");
        assertThat(seal.check(UID, moved)).isInstanceOf(SealCheck.BadSeal.class);
        Map<String, String> widened = new HashMap<>(placed);
        widened.put(HamiKeys.DEVICES_ALLOCATED, "GPU-0a1b,NVIDIA,15000,100:;");
        assertThat(seal.check(UID, widened)).isInstanceOf(SealCheck.BadSeal.class);
        // What the device plugin rewrites is not sealed.
        Map<String, String> consumed = new HashMap<>(placed);
        consumed.put(HamiKeys.DEVICES_TO_ALLOCATE, ";");
        consumed.put(HamiKeys.BIND_PHASE, "success");
        assertThat(seal.check(UID, consumed)).isEqualTo(new SealCheck.Valid());
    }

    @Test
    void anotherKeyDoesNotVerify() {
        PlacementSeal other = new PlacementSeal(SealKey.of(new byte[32]));

        assertThat(other.check(UID, placement(UID, "node-a1", ALLOCATED))).isInstanceOf(SealCheck.BadSeal.class);
        assertThat(other.keyId()).isNotEqualTo(seal.keyId()).hasSize(8);
    }

    @Test
    void fieldBoundariesCannotBeShifted() {
        // "ab" + "c" and "a" + "bc" must not share a seal.
        assertThat(seal.seal("uid", "ab", "c")).isNotEqualTo(seal.seal("uid", "a", "bc"));
    }

    @Test
    void unsealedAndMalformedSealsAreTold() {
        Map<String, String> unsealed = new HashMap<>(placement(UID, "node-a1", ALLOCATED));
        unsealed.remove(HamiKeys.PLACEMENT_SEAL);
        assertThat(seal.check(UID, unsealed)).isEqualTo(new SealCheck.Unsealed());
        assertThat(seal.check(UID, null)).isEqualTo(new SealCheck.Unsealed());

        Map<String, String> garbage = new HashMap<>(unsealed);
        garbage.put(HamiKeys.PLACEMENT_SEAL, "v1:" + "*".repeat(43));
        assertThat(seal.check(UID, garbage)).isEqualTo(new SealCheck.BadSeal("the seal is not base64url"));
        garbage.put(HamiKeys.PLACEMENT_SEAL, "v2:" + "A".repeat(43));
        assertThat(seal.check(UID, garbage)).isEqualTo(new SealCheck.BadSeal("the seal is not a v1: seal"));
        garbage.put(HamiKeys.PLACEMENT_SEAL, "x".repeat(100_000));
        assertThat(seal.check(UID, garbage)).isEqualTo(new SealCheck.BadSeal("the seal is not a v1: seal"));

        Map<String, String> sealOnly = Map.of(HamiKeys.PLACEMENT_SEAL, seal.seal(UID, "node-a1", ALLOCATED));
        assertThat(seal.check(UID, sealOnly)).isEqualTo(new SealCheck.BadSeal("the seal covers no complete placement"));
    }

    @Test
    void aKeyIsTheFileBytesAndATooShortOneIsRefusedWithoutItsContent(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("key");
        Files.write(file, "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
        assertThat(SealKey.read(file).id()).isEqualTo(KEY.id());

        Files.write(file, "short-secret".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> SealKey.read(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("placement seal key file " + file + ": a placement seal key needs at least 32 bytes,"
                        + " got 12")
                .message().doesNotContain("short-secret");
        assertThatThrownBy(() -> SealKey.read(dir.resolve("absent")))
                .hasMessage("cannot read the placement seal key file " + dir.resolve("absent")
                        + ": NoSuchFileException");
        assertThat(KEY.toString()).isEqualTo("SealKey[id " + KEY.id() + "]").doesNotContain("0123");
    }

    @Test
    void theSealKeyIsSchedulerOwned() {
        assertThat(HamiKeys.PLACEMENT_SEAL).isEqualTo("gpushare.dev/placement-seal");
        assertThat(HamiKeys.schedulerOwned(HamiKeys.PLACEMENT_SEAL)).isTrue();
        assertThat(HamiKeys.schedulerOwned("gpushare.dev/scheduler")).isFalse();
    }

    private Map<String, String> placement(String uid, String node, String allocated) {
        return Map.of(HamiKeys.VGPU_NODE, node, HamiKeys.DEVICES_ALLOCATED, allocated,
                HamiKeys.PLACEMENT_SEAL, seal.seal(uid, node, allocated));
    }
}
