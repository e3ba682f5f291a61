package dev.gpushare.scheduler.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.gpushare.certgen.CertificateFiles;
import dev.gpushare.certgen.ServerCertificate;
import dev.gpushare.scheduler.state.ClusterState;
import dev.gpushare.scheduler.support.SchedulerSpringTest;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The webhook port with a certificate from certgen, as the chart deploys it: a client that trusts only certgen's CA
 * gets the AdmissionReview answer; new files are served without a restart; only TLS 1.2 and 1.3 are spoken.
 *
 * <p>Its own application context (the certificate files differ from the shared tests'), closed after the class. The
 * file properties name a system property set before the context starts (a {@code @DynamicPropertySource} would
 * come after the environment post-processors, which would then see no files and generate a throwaway certificate).
 * The SSL bundle watcher's quiet period is shortened from Spring Boot's 10 s so that rotation is quick to observe.
 */
@SchedulerSpringTest
@TestPropertySource(properties = {
        "hami.webhook.tls.cert-file=${" + WebhookTlsTest.DIRECTORY + "}/" + CertificateFiles.CERT_FILE,
        "hami.webhook.tls.key-file=${" + WebhookTlsTest.DIRECTORY + "}/" + CertificateFiles.KEY_FILE,
        "spring.ssl.bundle.watch.file.quiet-period=300ms",
})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class WebhookTlsTest {

    static final String DIRECTORY = "gpushare.test.webhook-tls-dir";
    private static final List<String> HOSTS = List.of("localhost", "127.0.0.1");

    @TempDir
    static Path tls;

    @LocalServerPort
    int port;

    @Autowired
    ClusterState state;

    @BeforeAll
    static void issueCertificate() throws IOException {
        CertificateFiles.writeNew(tls, HOSTS, Clock.systemUTC());
        System.setProperty(DIRECTORY, tls.toString());
    }

    @AfterAll
    static void forgetDirectory() {
        System.clearProperty(DIRECTORY);
    }

    /** A client trusting the CA that certgen last wrote. */
    private WebhookTlsClient client() {
        return new WebhookTlsClient(port, tls.resolve(CertificateFiles.CA_FILE));
    }

    @Test
    void theApiServersReviewIsAnsweredOverTlsTrustingOnlyCertgensCa() throws Exception {
        // Before the ledger's first sync the answer would carry the "quota not checked" warning as well.
        await().atMost(Duration.ofSeconds(30)).until(state::synced);
        HttpResponse<String> response = client().post(AdmissionFixture.bytes());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        String patch = "[{\"op\":\"add\",\"path\":\"/spec/containers/0/resources/limits/nvidia.com~1gpucores\","
                + "\"value\":\"100\"}]";
        assertThat(response.body()).isEqualTo("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
                + "\"response\":{\"uid\":\"" + AdmissionFixture.UID + "\",\"allowed\":true,"
                + "\"patchType\":\"JSONPatch\",\"patch\":\""
                + Base64.getEncoder().encodeToString(patch.getBytes(StandardCharsets.UTF_8)) + "\"}}");
        JsonNode answer = JsonMapper.builder().build().readTree(response.body());
        assertThat(new String(Base64.getDecoder().decode(answer.path("response").path("patch").asString()),
                StandardCharsets.UTF_8)).isEqualTo(patch);
    }

    @Test
    void aRotatedCertificateIsServedWithoutRestart() throws Exception {
        WebhookTlsClient before = client();
        assertThat(before.handshake("TLSv1.3").peer())
                .isEqualTo(WebhookTlsClient.readCertificate(tls.resolve(CertificateFiles.CERT_FILE)));

        ServerCertificate rotated = CertificateFiles.writeNew(tls, HOSTS, Clock.systemUTC());
        WebhookTlsClient after = client();

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .ignoreExceptionsInstanceOf(SSLException.class)
                .untilAsserted(() -> assertThat(after.handshake("TLSv1.3").peer().getPublicKey())
                        .isEqualTo(rotated.certificate().getPublicKey()));
        assertThat(after.handshake("TLSv1.2").peer()).isEqualTo(rotated.certificate());
        assertThatThrownBy(() -> before.handshake("TLSv1.3")).isInstanceOf(SSLHandshakeException.class);
        assertThatThrownBy(() -> before.post(AdmissionFixture.bytes())).isInstanceOf(SSLHandshakeException.class);
        assertThat(after.post(AdmissionFixture.bytes()).statusCode()).isEqualTo(200);
    }

    @Test
    void tls12AndTls13AreSpoken() throws Exception {
        assertThat(client().handshake("TLSv1.3").protocol()).isEqualTo("TLSv1.3");
        assertThat(client().handshake("TLSv1.2").protocol()).isEqualTo("TLSv1.2");
    }

    @Test
    void aTls11ClientHelloIsRefusedByTheServer() throws Exception {
        // The same hand-built hello as TLS 1.2 gets a ServerHello: the refusal is about the version alone.
        assertThat(RawClientHello.send(port, 3)).isEqualTo(new RawClientHello.FirstRecord(
                RawClientHello.HANDSHAKE, RawClientHello.SERVER_HELLO, 0));

        assertThat(RawClientHello.send(port, 2)).isEqualTo(new RawClientHello.FirstRecord(
                RawClientHello.ALERT, 2, RawClientHello.PROTOCOL_VERSION));
    }

    @Test
    void tls12OffersOnlyAeadSuitesAndRefusesAClientOfferingCbc() throws Exception {
        assertThatThrownBy(() -> client().handshake("TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
                "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"))
                .isInstanceOf(SSLHandshakeException.class);

        assertThat(client().handshake("TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
                "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256").cipherSuite())
                .isEqualTo("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
        assertThat(client().handshake("TLSv1.2").cipherSuite()).matches("TLS_ECDHE_ECDSA_WITH_.*(GCM|POLY1305).*");
        assertThat(client().handshake("TLSv1.3").cipherSuite()).isIn("TLS_AES_128_GCM_SHA256",
                "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");
    }
}
