package dev.gpushare.certgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.util.List;

import org.junit.jupiter.api.Test;

class PemTest {

    private final ServerCertificate issued =
            new CertificateIssuer(Clock.systemUTC()).issue(new WebhookHosts(List.of("svc.ns.svc")));

    @Test
    void roundTripsCertificateAndPkcs8Key() throws Exception {
        String keyPem = issued.keyPem();

        assertThat(keyPem).startsWith("-----BEGIN PRIVATE KEY-----\n");
        assertThat(issued.certificatePem()).startsWith("-----BEGIN CERTIFICATE-----\n");
        assertThat(Pem.readPrivateKey(keyPem)).isEqualTo(issued.key());
        assertThat(Pem.readCertificate(issued.certificatePem())).isEqualTo(issued.certificate());
    }

    @Test
    void readsTheSec1KeysThatKubeWebhookCertgenWrites() throws Exception {
        String sec1 = Sec1.pem(issued);

        assertThat(sec1).startsWith("-----BEGIN EC PRIVATE KEY-----");
        assertThat(SecretCertificates.keyMatches(Pem.readPrivateKey(sec1), issued.certificate().getPublicKey()))
                .isTrue();
    }

    @Test
    void reportsWhatIsWrongWithBadInput() {
        assertThatThrownBy(() -> Pem.readCertificate(""))
                .isInstanceOf(PemException.class).hasMessage("no certificate: empty value");
        assertThatThrownBy(() -> Pem.readCertificate("not pem at all"))
                .isInstanceOf(PemException.class).hasMessage("no certificate: no PEM block found");
        assertThatThrownBy(() -> Pem.readCertificate(issued.keyPem()))
                .isInstanceOf(PemException.class).hasMessage("expected a CERTIFICATE block, found PrivateKeyInfo");
        assertThatThrownBy(() -> Pem.readPrivateKey(issued.certificatePem()))
                .isInstanceOf(PemException.class)
                .hasMessage("expected a PRIVATE KEY or EC PRIVATE KEY block, found X509CertificateHolder");
        assertThatThrownBy(() -> Pem.readCertificate("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n"))
                .isInstanceOf(PemException.class).hasMessageStartingWith("undecodable certificate PEM");
    }
}
