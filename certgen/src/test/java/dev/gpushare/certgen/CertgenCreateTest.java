package dev.gpushare.certgen;

import static dev.gpushare.certgen.CertificateAssertions.assertEcP256;
import static dev.gpushare.certgen.CertificateAssertions.assertSignedBy;
import static dev.gpushare.certgen.CertificateAssertions.sans;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class CertgenCreateTest {

    private static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");
    private static final String HOSTS = "hami-scheduler.kube-system.svc,127.0.0.1";

    KubernetesClient client;

    @Test
    void createsAnOpaqueSecretWithCaAndServerCertificate() throws Exception {
        CertgenRun run = create(T0, HOSTS);

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("created secrets \"hami-scheduler-tls\" in namespace \"kube-system\": "
                + "server certificate for hami-scheduler.kube-system.svc, 127.0.0.1 valid until 2027-03-01T00:00:00Z,"
                + " CA valid until 2036-02-27T00:00:00Z");
        Secret secret = secret();
        assertThat(secret.getType()).isEqualTo("Opaque");
        assertThat(secret.getData()).containsOnlyKeys("ca", "ca.key", "tls.crt", "tls.key");
        X509Certificate ca = Pem.readCertificate(pem(secret, "ca"));
        X509Certificate leaf = Pem.readCertificate(pem(secret, "tls.crt"));
        assertThat(sans(leaf)).containsExactly(List.of(2, "hami-scheduler.kube-system.svc"), List.of(7, "127.0.0.1"));
        assertEcP256(leaf.getPublicKey());
        assertEcP256(ca.getPublicKey());
        assertSignedBy(leaf, ca);
        assertThat(SecretCertificates.keyMatches(Pem.readPrivateKey(pem(secret, "tls.key")), leaf.getPublicKey()))
                .isTrue();
        assertThat(run.out() + run.err()).doesNotContain("PRIVATE KEY").doesNotContain(secret.getData().get("tls.key"));
    }

    @Test
    void secondRunChangesNothing() {
        create(T0, HOSTS);
        Secret before = secret();

        CertgenRun second = create(T0.plus(Duration.ofDays(100)), HOSTS);

        assertThat(second.exitCode()).isZero();
        assertThat(second.out()).isEqualTo("secrets \"hami-scheduler-tls\" in namespace \"kube-system\" is up to "
                + "date: server certificate valid until 2027-03-01T00:00:00Z; nothing changed\n");
        Secret after = secret();
        assertThat(after.getMetadata().getResourceVersion()).isEqualTo(before.getMetadata().getResourceVersion());
        assertThat(after.getData()).isEqualTo(before.getData());
    }

    @Test
    void renewsALeafWithinThirtyDaysOfExpiryWithTheSameCa() throws Exception {
        create(T0, HOSTS);
        Secret before = secret();

        // The leaf expires 2027-03-01; 2027-02-01 is 28 days before.
        CertgenRun run = create(Instant.parse("2027-02-01T00:00:00Z"), HOSTS);

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("renewed secrets \"hami-scheduler-tls\" in namespace \"kube-system\" "
                + "because tls.crt expires at 2027-03-01T00:00:00Z (renewed 30 days before expiry): same CA, "
                + "server certificate for hami-scheduler.kube-system.svc, 127.0.0.1 valid until 2028-02-01T00:00:00Z");
        Secret after = secret();
        assertThat(after.getMetadata().getResourceVersion()).isNotEqualTo(before.getMetadata().getResourceVersion());
        assertThat(after.getData().get("ca")).isEqualTo(before.getData().get("ca"));
        assertThat(after.getData().get("tls.crt")).isNotEqualTo(before.getData().get("tls.crt"));
        assertThat(after.getData().get("tls.key")).isNotEqualTo(before.getData().get("tls.key"));
        assertSignedBy(Pem.readCertificate(pem(after, "tls.crt")), Pem.readCertificate(pem(before, "ca")));
    }

    @Test
    void leafThirtyOneDaysBeforeExpiryIsKept() {
        create(T0, HOSTS);
        Secret before = secret();

        CertgenRun run = create(Instant.parse("2027-01-29T00:00:00Z"), HOSTS);

        assertThat(run.out()).contains("is up to date");
        assertThat(secret().getMetadata().getResourceVersion()).isEqualTo(before.getMetadata().getResourceVersion());
    }

    @Test
    void renewsWhenARequestedHostIsMissing() throws Exception {
        create(T0, HOSTS);
        Secret before = secret();

        CertgenRun run = create(T0.plus(Duration.ofDays(1)), HOSTS + ",10.0.0.7,gpu.example.com");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("because tls.crt is not valid for 10.0.0.7, gpu.example.com: same CA");
        Secret after = secret();
        X509Certificate leaf = Pem.readCertificate(pem(after, "tls.crt"));
        assertThat(sans(leaf)).containsExactly(List.of(2, "hami-scheduler.kube-system.svc"), List.of(7, "127.0.0.1"),
                List.of(7, "10.0.0.7"), List.of(2, "gpu.example.com"));
        assertThat(after.getData().get("ca")).isEqualTo(before.getData().get("ca"));
    }

    @Test
    void renewsAnUnparsableLeafAndKeepsTheCa() {
        create(T0, HOSTS);
        Secret before = secret();
        client.secrets().inNamespace("kube-system").resource(new SecretBuilder(before)
                .addToData("tls.crt", base64("garbage")).build()).update();

        CertgenRun run = create(T0, HOSTS);

        assertThat(run.out()).contains("because tls.crt: no certificate: no PEM block found: same CA");
        assertThat(secret().getData().get("ca")).isEqualTo(before.getData().get("ca"));
    }

    @Test
    void makesANewCaWhenTheCaWouldExpireBeforeTheNewLeaf() throws Exception {
        ServerCertificate old = new CertificateIssuer(Clock.fixed(T0, ZoneOffset.UTC))
                .issue(new WebhookHosts(List.of("hami-scheduler.kube-system.svc", "127.0.0.1")));
        storeSecret(SecretCertificates.toSecretData(old));

        // 2035-06-01: the CA (until 2036-02-27) is valid but would not outlive a new one-year leaf.
        CertgenRun run = create(Instant.parse("2035-06-01T00:00:00Z"), HOSTS);

        assertThat(run.out()).contains("because tls.crt expires at 2027-03-01T00:00:00Z")
                .contains("NEW CA (run certgen patch to update caBundle)");
        Secret after = secret();
        X509Certificate newCa = Pem.readCertificate(pem(after, "ca"));
        assertThat(newCa).isNotEqualTo(old.ca().certificate());
        assertSignedBy(Pem.readCertificate(pem(after, "tls.crt")), newCa);
    }

    @Test
    void keepsAValidSecretWrittenByHamisCertgenAndRenewsItWithANewCa() throws Exception {
        // kube-webhook-certgen: no ca.key, SEC1 key, 100-year validity.
        ServerCertificate hami = new CertificateIssuer(Clock.fixed(T0, ZoneOffset.UTC))
                .issue(new WebhookHosts(List.of("hami-scheduler.kube-system.svc", "127.0.0.1")));
        Map<String, String> data = Map.of("ca", base64(hami.caPem()), "tls.crt", base64(hami.certificatePem()),
                "tls.key", base64(Sec1.pem(hami)));
        storeSecret(data);
        String version = secret().getMetadata().getResourceVersion();

        assertThat(create(T0, HOSTS).out()).contains("is up to date");
        assertThat(secret().getMetadata().getResourceVersion()).isEqualTo(version);

        CertgenRun renewal = create(T0, HOSTS + ",extra.svc");
        assertThat(renewal.out()).contains("because tls.crt is not valid for extra.svc: NEW CA");
        assertThat(secret().getData()).containsOnlyKeys("ca", "ca.key", "tls.crt", "tls.key");
        assertThat(secret().getData().get("ca")).isNotEqualTo(data.get("ca"));
    }

    @Test
    void keepsForeignKeysOfTheSecretOnRenewal() {
        create(T0, HOSTS);
        client.secrets().inNamespace("kube-system").resource(new SecretBuilder(secret())
                .addToData("note", base64("kept")).build()).update();

        create(T0, HOSTS + ",extra.svc");

        assertThat(secret().getData()).containsEntry("note", base64("kept"));
    }

    @Test
    void usageErrorsExitWithTwo() {
        CertgenRun missing = CertgenRun.of(client, Clock.systemUTC(), "create", "--namespace", "ns");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).startsWith("certgen: missing --host, --secret-name\nusage:");

        CertgenRun emptyHost = CertgenRun.of(client, Clock.systemUTC(), "create", "--namespace=ns",
                "--secret-name=s", "--host=a,,b");
        assertThat(emptyHost.exitCode()).isEqualTo(2);
        assertThat(emptyHost.err()).startsWith("certgen: --host has an empty item: 'a,,b'");

        CertgenRun unknown = CertgenRun.of(client, Clock.systemUTC(), "rotate");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).startsWith("certgen: unknown subcommand 'rotate' (expected create or patch)");

        CertgenRun flag = CertgenRun.of(client, Clock.systemUTC(), "patch", "--webhook-name", "w", "--namespace",
                "ns", "--secret-name", "s", "--patch-validating=false");
        assertThat(flag.exitCode()).isEqualTo(2);
        assertThat(flag.err()).startsWith("certgen: unknown flag --patch-validating");

        assertThat(client.secrets().inAnyNamespace().list().getItems()).isEmpty();
    }

    @Test
    void helpExitsWithZero() {
        CertgenRun help = CertgenRun.of(client, Clock.systemUTC(), "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).startsWith("usage:");
    }

    private CertgenRun create(Instant now, String hosts) {
        return CertgenRun.of(client, Clock.fixed(now, ZoneOffset.UTC), "create", "--namespace", "kube-system",
                "--secret-name", "hami-scheduler-tls", "--host", hosts);
    }

    private Secret secret() {
        return client.secrets().inNamespace("kube-system").withName("hami-scheduler-tls").get();
    }

    private void storeSecret(Map<String, String> data) {
        client.secrets().inNamespace("kube-system").resource(new SecretBuilder().withNewMetadata()
                .withName("hami-scheduler-tls").withNamespace("kube-system").endMetadata()
                .withType("Opaque").withData(data).build()).create();
    }

    private static String pem(Secret secret, String key) {
        return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.US_ASCII);
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
    }
}
