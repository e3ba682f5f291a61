package dev.gpushare.certgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.security.PublicKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/** Assertions on produced certificates, shared by the certgen tests. */
final class CertificateAssertions {

    private CertificateAssertions() {
    }

    /** [type, value] pairs of the SAN extension: type 2 = DNS, 7 = IP. */
    static List<List<Object>> sans(X509Certificate certificate) throws CertificateParsingException {
        Collection<List<?>> sans = certificate.getSubjectAlternativeNames();
        return sans.stream().map(san -> List.<Object>of(san.get(0), san.get(1))).toList();
    }

    static void assertEcP256(PublicKey key) {
        SubjectPublicKeyInfo info = SubjectPublicKeyInfo.getInstance(key.getEncoded());
        assertThat(info.getAlgorithm().getAlgorithm()).isEqualTo(X9ObjectIdentifiers.id_ecPublicKey);
        assertThat((ASN1ObjectIdentifier) info.getAlgorithm().getParameters()).isEqualTo(SECObjectIdentifiers.secp256r1);
    }

    static void assertSignedBy(X509Certificate certificate, X509Certificate ca) {
        assertThatCode(() -> certificate.verify(ca.getPublicKey())).doesNotThrowAnyException();
        assertThat(certificate.getIssuerX500Principal()).isEqualTo(ca.getSubjectX500Principal());
    }
}
