package dev.gpushare.scheduler.support;

import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.common.seal.PlacementSeal;
import dev.gpushare.common.seal.PlacementTrust;
import dev.gpushare.common.seal.SealKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The placement seal key of the tests: what the ledger of a test trusts ({@link #TRUST}), the seal a placement
 * written by "a replica of ours" carries, and the key as a file for scheduler processes that must share it.
 */
public final class TestSeals {

    private static final byte[] KEY_BYTES = "gpushare test placement seal key, 32+ bytes".getBytes(
            StandardCharsets.US_ASCII);
    public static final SealKey KEY = SealKey.of(KEY_BYTES);
    public static final PlacementSeal SEAL = new PlacementSeal(KEY);
    /** Sealed placements only, as the service runs by default. */
    public static final PlacementTrust TRUST = new PlacementTrust(SEAL, PlacementTrust.UnsealedPolicy.none());
    /** The setting that makes a scheduler process use {@link #KEY}. */
    public static final String KEY_FILE_PROPERTY = "hami.ledger.seal-key-file=" + keyFile();

    private TestSeals() {
    }

    /** The seal of a placement of pod {@code uid} on {@code node} with allocation annotation {@code allocated}. */
    public static String seal(String uid, String node, String allocated) {
        return SEAL.seal(uid, node, allocated);
    }

    /** The placement annotations a replica of ours writes (node, allocation both ways, seal). */
    public static Map<String, String> placement(String uid, String node, String allocated) {
        return Map.of(HamiKeys.VGPU_NODE, node, HamiKeys.DEVICES_ALLOCATED, allocated,
                HamiKeys.DEVICES_TO_ALLOCATE, allocated, HamiKeys.PLACEMENT_SEAL, seal(uid, node, allocated));
    }

    /** {@link #KEY} in a file of this JVM's temporary directory, written once. */
    public static synchronized Path keyFile() {
        try {
            Path file = Path.of(System.getProperty("java.io.tmpdir"), "gpushare-test-seal-" + KEY.id() + ".key");
            if (!Files.exists(file)) {
                Path written = Files.write(Files.createTempFile("gpushare-test-seal", ".key"), KEY_BYTES);
                Files.move(written, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            return file;
        } catch (java.nio.file.FileAlreadyExistsException e) {
            return Path.of(System.getProperty("java.io.tmpdir"), "gpushare-test-seal-" + KEY.id() + ".key");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
