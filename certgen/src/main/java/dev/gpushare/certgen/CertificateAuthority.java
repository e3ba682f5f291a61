package dev.gpushare.certgen;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Objects;

/** A self-signed CA certificate with its private key: what signs (and re-signs) the webhook's server certificate. */
public record CertificateAuthority(X509Certificate certificate, PrivateKey key) {

    public CertificateAuthority {
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(key, "key");
    }
}
