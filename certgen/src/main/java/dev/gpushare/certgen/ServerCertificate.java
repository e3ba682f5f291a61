package dev.gpushare.certgen;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Objects;

/**
 * The webhook's TLS material: the server (leaf) certificate and key, and the CA that signed it (whose certificate
 * goes into the webhook configuration's {@code caBundle}).
 */
public record ServerCertificate(CertificateAuthority ca, X509Certificate certificate, PrivateKey key) {

    public ServerCertificate {
        Objects.requireNonNull(ca, "ca");
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(key, "key");
    }

    public String caPem() {
        return Pem.encode(ca.certificate());
    }

    public String caKeyPem() {
        return Pem.encode(ca.key());
    }

    public String certificatePem() {
        return Pem.encode(certificate);
    }

    public String keyPem() {
        return Pem.encode(key);
    }
}
