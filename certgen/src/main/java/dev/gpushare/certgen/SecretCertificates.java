package dev.gpushare.certgen;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The webhook TLS Secret's layout and the decision whether its content can stay. Pure: Secret data in, verdict out.
 *
 * <p>Keys: {@value #CA} (CA certificate PEM, for {@code caBundle}), {@value #CERT} and {@value #KEY} (server
 * certificate and key PEM, what the scheduler mounts) — the layout of HAMi's chart — plus {@value #CA_KEY}, the CA's
 * key, so that a renewal can re-sign with the same CA and the {@code caBundle} already in the webhook
 * configuration stays valid. Secrets written by HAMi's kube-webhook-certgen have no {@value #CA_KEY}: they are kept
 * while valid, and a renewal then creates a new CA.
 */
public final class SecretCertificates {

    public static final String CA = "ca";
    public static final String CA_KEY = "ca.key";
    public static final String CERT = "tls.crt";
    public static final String KEY = "tls.key";

    /** A server certificate closer than this to its expiry (or a CA closer than this) is renewed. */
    public static final Duration RENEW_BEFORE = Duration.ofDays(30);

    private SecretCertificates() {
    }

    /** What {@code certgen create} does with an existing Secret. */
    public sealed interface Verdict permits UpToDate, Renew {
    }

    /** Nothing to do: the server certificate is valid, signed by {@code ca}, and names every requested host. */
    public record UpToDate(X509Certificate certificate) implements Verdict {
    }

    /**
     * Issue a new server certificate, signed by {@code reusableCa} when present (a valid CA whose key is stored and
     * that outlives the new certificate), otherwise by a new CA.
     */
    public record Renew(String reason, Optional<CertificateAuthority> reusableCa) implements Verdict {
    }

    /** Secret {@code data} (base64 values) for {@code certificate}. */
    public static Map<String, String> toSecretData(ServerCertificate certificate) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put(CA, base64(certificate.caPem()));
        data.put(CA_KEY, base64(certificate.caKeyPem()));
        data.put(CERT, base64(certificate.certificatePem()));
        data.put(KEY, base64(certificate.keyPem()));
        return data;
    }

    /** Judges the Secret's {@code data} (base64 values, as the API returns them) at instant {@code now}. */
    public static Verdict evaluate(Map<String, String> secretData, WebhookHosts hosts, Instant now) {
        Map<String, String> data = secretData == null ? Map.of() : secretData;
        X509Certificate caCertificate;
        try {
            caCertificate = Pem.readCertificate(decode(data, CA));
        } catch (PemException e) {
            return new Renew(CA + ": " + e.getMessage(), Optional.empty());
        }
        if (!now.isBefore(caCertificate.getNotAfter().toInstant().minus(RENEW_BEFORE))) {
            return new Renew("CA expires at " + caCertificate.getNotAfter().toInstant(), Optional.empty());
        }
        Optional<CertificateAuthority> reusableCa = reusableCa(caCertificate, data, now);

        X509Certificate certificate;
        PrivateKey key;
        try {
            certificate = Pem.readCertificate(decode(data, CERT));
        } catch (PemException e) {
            return new Renew(CERT + ": " + e.getMessage(), reusableCa);
        }
        try {
            key = Pem.readPrivateKey(decode(data, KEY));
        } catch (PemException e) {
            return new Renew(KEY + ": " + e.getMessage(), reusableCa);
        }
        if (!keyMatches(key, certificate.getPublicKey())) {
            return new Renew(KEY + " does not belong to " + CERT, reusableCa);
        }
        if (!signedBy(certificate, caCertificate)) {
            return new Renew(CERT + " is not signed by " + CA, reusableCa);
        }
        Instant notAfter = certificate.getNotAfter().toInstant();
        if (!now.isBefore(notAfter.minus(RENEW_BEFORE))) {
            return new Renew(CERT + " expires at " + notAfter + " (renewed " + RENEW_BEFORE.toDays()
                    + " days before expiry)", reusableCa);
        }
        List<String> missing = hosts.missingFrom(certificate);
        if (!missing.isEmpty()) {
            return new Renew(CERT + " is not valid for " + String.join(", ", missing), reusableCa);
        }
        return new UpToDate(certificate);
    }

    /** The base64-decoded PEM of {@code key}; absent or undecodable values are reported as PEM errors. */
    public static String decode(Map<String, String> data, String key) throws PemException {
        String value = data.get(key);
        if (value == null) {
            throw new PemException("missing from the Secret");
        }
        try {
            return new String(Base64.getDecoder().decode(value), StandardCharsets.US_ASCII);
        } catch (IllegalArgumentException e) {
            throw new PemException("not base64: " + e.getMessage(), e);
        }
    }

    private static Optional<CertificateAuthority> reusableCa(X509Certificate caCertificate, Map<String, String> data,
                                                             Instant now) {
        PrivateKey caKey;
        try {
            caKey = Pem.readPrivateKey(decode(data, CA_KEY));
        } catch (PemException e) {
            return Optional.empty();
        }
        boolean isCa = caCertificate.getBasicConstraints() >= 0;
        boolean outlivesNewCertificate = caCertificate.getNotAfter().toInstant()
                .isAfter(now.plus(CertificateIssuer.SERVER_VALIDITY));
        boolean ecKey = "EC".equals(caKey.getAlgorithm());
        if (isCa && outlivesNewCertificate && ecKey && keyMatches(caKey, caCertificate.getPublicKey())) {
            return Optional.of(new CertificateAuthority(caCertificate, caKey));
        }
        return Optional.empty();
    }

    /** Proves possession: a signature made with {@code key} verifies with {@code publicKey}. */
    static boolean keyMatches(PrivateKey key, PublicKey publicKey) {
        String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            default -> null;
        };
        if (algorithm == null || !key.getAlgorithm().equals(publicKey.getAlgorithm())) {
            return false;
        }
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** Whether {@code certificate} carries a valid signature of {@code ca}. */
    public static boolean signedBy(X509Certificate certificate, X509Certificate ca) {
        try {
            certificate.verify(ca.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static String base64(String pem) {
        return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII));
    }
}
