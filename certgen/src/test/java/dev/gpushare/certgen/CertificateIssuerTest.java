package dev.gpushare.certgen;

import static dev.gpushare.certgen.CertificateAssertions.assertEcP256;
import static dev.gpushare.certgen.CertificateAssertions.assertSignedBy;
import static dev.gpushare.certgen.CertificateAssertions.sans;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.Test;

class CertificateIssuerTest {

    private static final Instant NOW = Instant.parse("2026-01-10T12:00:00Z");
    private final CertificateIssuer issuer = new CertificateIssuer(Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void issuesAnEcP256LeafSignedByTheCaWithIpAndDnsSans() throws Exception {
        ServerCertificate issued = issuer.issue(
                new WebhookHosts(List.of("hami-scheduler.kube-system.svc", "127.0.0.1", "::1", "gpu.example.com")));

        assertThat(sans(issued.certificate())).containsExactly(
                List.of(2, "hami-scheduler.kube-system.svc"),
                List.of(7, "127.0.0.1"),
                List.of(7, "0:0:0:0:0:0:0:1"),
                List.of(2, "gpu.example.com"));
        assertEcP256(issued.certificate().getPublicKey());
        assertEcP256(issued.ca().certificate().getPublicKey());
        assertSignedBy(issued.certificate(), issued.ca().certificate());
        assertSignedBy(issued.ca().certificate(), issued.ca().certificate());
        assertThat(issued.certificate().getSigAlgName()).isEqualTo("SHA256withECDSA");
    }

    @Test
    void leafIsAServerCertificateAndNotACa() throws Exception {
        ServerCertificate issued = issuer.issue(new WebhookHosts(List.of("svc.ns.svc")));

        assertThat(issued.certificate().getBasicConstraints()).isEqualTo(-1);
        // digitalSignature (0) and keyEncipherment (2) only.
        assertThat(issued.certificate().getKeyUsage())
                .containsExactly(true, false, true, false, false, false, false, false, false);
        assertThat(issued.certificate().getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        assertThat(issued.certificate().getCriticalExtensionOIDs()).contains("2.5.29.15", "2.5.29.19");
    }

    @Test
    void caIsACertificateSigningAuthority() {
        CertificateAuthority ca = issuer.newCertificateAuthority();

        assertThat(ca.certificate().getBasicConstraints()).isGreaterThanOrEqualTo(0);
        // keyCertSign (5) and cRLSign (6).
        assertThat(ca.certificate().getKeyUsage())
                .containsExactly(false, false, false, false, false, true, true, false, false);
    }

    @Test
    void validityIsTenYearsForTheCaAndOneYearForTheLeafBackdatedFiveMinutes() {
        ServerCertificate issued = issuer.issue(new WebhookHosts(List.of("svc.ns.svc")));

        assertThat(issued.certificate().getNotBefore().toInstant()).isEqualTo(Instant.parse("2026-01-10T11:55:00Z"));
        assertThat(issued.certificate().getNotAfter().toInstant()).isEqualTo(Instant.parse("2027-01-10T12:00:00Z"));
        assertThat(issued.ca().certificate().getNotBefore().toInstant())
                .isEqualTo(Instant.parse("2026-01-10T11:55:00Z"));
        assertThat(issued.ca().certificate().getNotAfter().toInstant())
                .isEqualTo(Instant.parse("2036-01-08T12:00:00Z"));
    }

    @Test
    void reIssuingWithTheSameCaKeepsTheCaAndChangesTheKeyAndSerial() {
        ServerCertificate first = issuer.issue(new WebhookHosts(List.of("svc.ns.svc")));
        ServerCertificate second = issuer.issue(first.ca(), new WebhookHosts(List.of("svc.ns.svc")));

        assertThat(second.caPem()).isEqualTo(first.caPem());
        assertSignedBy(second.certificate(), first.ca().certificate());
        assertThat(second.certificate().getSerialNumber()).isNotEqualTo(first.certificate().getSerialNumber());
        assertThat(second.certificate().getPublicKey()).isNotEqualTo(first.certificate().getPublicKey());
    }

    @Test
    void leafNeverOutlivesItsCa() {
        CertificateAuthority ca = issuer.newCertificateAuthority();
        CertificateIssuer later = new CertificateIssuer(Clock.fixed(Instant.parse("2035-09-01T00:00:00Z"),
                ZoneOffset.UTC));

        ServerCertificate issued = later.issue(ca, new WebhookHosts(List.of("svc.ns.svc")));

        assertThat(issued.certificate().getNotAfter()).isEqualTo(ca.certificate().getNotAfter());
    }

    @Test
    void rejectsEmptyAndMalformedHosts() {
        assertThatThrownBy(() -> new WebhookHosts(List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("at least one host is required");
        assertThatThrownBy(() -> new WebhookHosts(List.of("a b")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("invalid host 'a b'");
    }

    @Test
    void missingHostsCompareDnsCaseInsensitivelyAndIpsByValue() {
        ServerCertificate issued = issuer.issue(new WebhookHosts(List.of("Svc.NS.svc", "::1")));

        assertThat(new WebhookHosts(List.of("svc.ns.svc", "0:0:0:0:0:0:0:1")).missingFrom(issued.certificate()))
                .isEmpty();
        assertThat(new WebhookHosts(List.of("svc.ns.svc", "10.0.0.1", "other.svc"))
                .missingFrom(issued.certificate())).containsExactly("10.0.0.1", "other.svc");
    }
}
