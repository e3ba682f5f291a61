package dev.gpushare.common.seal;

import dev.gpushare.common.annotation.HamiKeys;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The seal {@code /filter} writes next to a placement: {@link HamiKeys#PLACEMENT_SEAL} = {@code v1:} and the unpadded
 * base64url of an HMAC-SHA256, keyed by the replicas' shared {@link SealKey}, over the pod's UID, the node
 * ({@link HamiKeys#VGPU_NODE}) and the allocation ({@link HamiKeys#DEVICES_ALLOCATED}), each length-prefixed so no
 * two triples share an input. Whoever can create or patch pods can write HAMi's placement annotations, but only a
 * holder of the key can seal them; the UID is the API server's, so a seal copied from another pod does not verify.
 * The fields that the device plugin rewrites ({@code devices-to-allocate}, {@code bind-phase}) are not sealed.
 * Thread-safe.
 */
public final class PlacementSeal {

    static final String VERSION = "v1:";
    private static final String ALGORITHM = "HmacSHA256";
    /** {@code v1:} and 43 base64url characters of 32 bytes. */
    private static final int LENGTH = VERSION.length() + 43;

    private final SecretKeySpec key;
    private final String keyId;

    public PlacementSeal(SealKey key) {
        this.key = new SecretKeySpec(key.bytes(), ALGORITHM);
        this.keyId = key.id();
    }

    /** The key's fingerprint ({@link SealKey#id()}), for the start-up line. */
    public String keyId() {
        return keyId;
    }

    /** The seal of a placement of pod {@code uid} on {@code node} with the allocation annotation {@code allocated}. */
    public String seal(String uid, String node, String allocated) {
        Objects.requireNonNull(uid, "uid");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(allocated, "allocated");
        return VERSION + Base64.getUrlEncoder().withoutPadding().encodeToString(mac(uid, node, allocated));
    }

    /** What the seal of a pod with {@code uid} and these annotations says about its placement annotations. */
    public SealCheck check(String uid, Map<String, String> annotations) {
        String seal = annotations == null ? null : annotations.get(HamiKeys.PLACEMENT_SEAL);
        if (seal == null) {
            return new SealCheck.Unsealed();
        }
        String node = annotations.get(HamiKeys.VGPU_NODE);
        String allocated = annotations.get(HamiKeys.DEVICES_ALLOCATED);
        if (uid == null || node == null || allocated == null) {
            return new SealCheck.BadSeal("the seal covers no complete placement");
        }
        if (seal.length() != LENGTH || !seal.startsWith(VERSION)) {
            return new SealCheck.BadSeal("the seal is not a " + VERSION + " seal");
        }
        byte[] given;
        try {
            given = Base64.getUrlDecoder().decode(seal.substring(VERSION.length()));
        } catch (IllegalArgumentException e) {
            return new SealCheck.BadSeal("the seal is not base64url");
        }
        return MessageDigest.isEqual(given, mac(uid, node, allocated)) ? new SealCheck.Valid()
                : new SealCheck.BadSeal("the seal does not match this pod's UID, node and allocation");
    }

    private byte[] mac(String uid, String node, String allocated) {
        Mac mac;
        try {
            mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("the JDK cannot compute " + ALGORITHM, e);
        }
        mac.update(VERSION.getBytes(StandardCharsets.US_ASCII));
        for (String field : new String[] {uid, node, allocated}) {
            byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
            mac.update((bytes.length + ":").getBytes(StandardCharsets.US_ASCII));
            mac.update(bytes);
        }
        return mac.doFinal();
    }
}
