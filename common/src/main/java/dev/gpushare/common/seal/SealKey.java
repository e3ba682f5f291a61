package dev.gpushare.common.seal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The secret that every replica of the scheduler shares to seal and verify placements ({@link PlacementSeal}). The
 * key is the exact bytes of its file (a Secret's data mounted as a file), at least {@value #MIN_BYTES} of them. It
 * never appears in a message or a log line: {@link #id()} is a short fingerprint that lets an operator see that two
 * replicas read the same key.
 */
public final class SealKey {

    /** HMAC-SHA256 wants a key of at least its output length. */
    public static final int MIN_BYTES = 32;

    private final byte[] bytes;
    private final String id;

    private SealKey(byte[] bytes) {
        if (bytes.length < MIN_BYTES) {
            throw new IllegalArgumentException("a placement seal key needs at least " + MIN_BYTES + " bytes, got "
                    + bytes.length);
        }
        this.bytes = bytes.clone();
        this.id = fingerprint(this.bytes);
    }

    public static SealKey of(byte[] bytes) {
        return new SealKey(bytes);
    }

    /** A fresh random key (the embedded cluster's: nothing outlives the process there). */
    public static SealKey generate(SecureRandom random) {
        byte[] bytes = new byte[MIN_BYTES];
        random.nextBytes(bytes);
        return new SealKey(bytes);
    }

    /**
     * Reads the key file.
     *
     * @throws IllegalArgumentException naming the file when it cannot be read or is too short (never its content)
     */
    public static SealKey read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the placement seal key file " + file + ": "
                    + e.getClass().getSimpleName(), e);
        }
        try {
            return new SealKey(bytes);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("placement seal key file " + file + ": " + e.getMessage(), e);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /** The first 8 hex digits of a SHA-256 over a fixed label and the key: the same key gives the same id. */
    public String id() {
        return id;
    }

    byte[] bytes() {
        return bytes;
    }

    private static String fingerprint(byte[] key) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update("gpushare placement seal key id\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            sha.update(key);
            return HexFormat.of().formatHex(sha.digest(), 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "SealKey[id " + id + "]";
    }
}
