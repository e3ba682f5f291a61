package dev.gpushare.certgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;

import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class CertgenPatchTest {

    KubernetesClient client;

    @Test
    void setsCaBundleOnEveryWebhookAndLeavesTheRestAlone() {
        createSecret();
        createWebhookConfiguration();
        String caPem = new String(Base64.getDecoder().decode(client.secrets().inNamespace("kube-system")
                .withName("hami-scheduler-tls").get().getData().get("ca")), StandardCharsets.US_ASCII);

        CertgenRun run = patch("hami-webhook");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEqualTo("mutatingwebhookconfigurations \"hami-webhook\": caBundle set on "
                + "[vgpu.hami.io, second.hami.io]\n");
        MutatingWebhookConfiguration patched = webhookConfiguration();
        String expected = Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.US_ASCII));
        assertThat(patched.getWebhooks()).hasSize(2).allSatisfy(webhook -> {
            assertThat(webhook.getClientConfig().getCaBundle()).isEqualTo(expected);
            assertThat(webhook.getFailurePolicy()).isEqualTo("Ignore");
        });
        assertThat(patched.getWebhooks().get(0).getClientConfig().getService().getPath()).isEqualTo("/webhook");
        assertThat(patched.getWebhooks().get(1).getClientConfig().getUrl()).isEqualTo("https://127.0.0.1:31998/webhook");
    }

    @Test
    void secondPatchChangesNothing() {
        createSecret();
        createWebhookConfiguration();
        patch("hami-webhook");
        String version = webhookConfiguration().getMetadata().getResourceVersion();

        CertgenRun again = patch("hami-webhook");

        assertThat(again.exitCode()).isZero();
        assertThat(again.out()).contains("caBundle already current on [vgpu.hami.io, second.hami.io]; nothing changed");
        assertThat(webhookConfiguration().getMetadata().getResourceVersion()).isEqualTo(version);
    }

    @Test
    void missingSecretExitsWithThree() {
        createWebhookConfiguration();

        CertgenRun run = patch("hami-webhook");

        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.err()).isEqualTo("secrets \"hami-scheduler-tls\" in namespace \"kube-system\" not found: "
                + "run certgen create first\n");
        assertThat(webhookConfiguration().getWebhooks().get(0).getClientConfig().getCaBundle()).isNull();
    }

    @Test
    void secretWithoutCaExitsWithThree() {
        client.secrets().inNamespace("kube-system").resource(new SecretBuilder().withNewMetadata()
                .withName("hami-scheduler-tls").withNamespace("kube-system").endMetadata()
                .addToData("tls.crt", "AAAA").build()).create();
        createWebhookConfiguration();

        CertgenRun run = patch("hami-webhook");

        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.err()).isEqualTo("secrets \"hami-scheduler-tls\" in namespace \"kube-system\" has no usable "
                + "'ca' entry: missing from the Secret\n");
    }

    @Test
    void unknownWebhookConfigurationExitsWithFour() {
        createSecret();

        CertgenRun run = patch("nope-webhook");

        assertThat(run.exitCode()).isEqualTo(4);
        assertThat(run.err()).isEqualTo("mutatingwebhookconfigurations \"nope-webhook\" not found: is the chart's "
                + "webhook installed under this name?\n");
    }

    private void createSecret() {
        CertgenRun created = CertgenRun.of(client, Clock.systemUTC(), "create", "--namespace", "kube-system",
                "--secret-name", "hami-scheduler-tls", "--host", "hami-scheduler.kube-system.svc");
        assertThat(created.exitCode()).isZero();
    }

    private void createWebhookConfiguration() {
        client.admissionRegistration().v1().mutatingWebhookConfigurations().resource(
                new MutatingWebhookConfigurationBuilder()
                        .withNewMetadata().withName("hami-webhook").endMetadata()
                        .addNewWebhook().withName("vgpu.hami.io").withFailurePolicy("Ignore")
                        .withAdmissionReviewVersions("v1", "v1beta1").withSideEffects("None")
                        .withNewClientConfig().withNewService().withName("hami-scheduler")
                        .withNamespace("kube-system").withPath("/webhook").withPort(443).endService()
                        .endClientConfig().endWebhook()
                        .addNewWebhook().withName("second.hami.io").withFailurePolicy("Ignore")
                        .withAdmissionReviewVersions("v1").withSideEffects("None")
                        .withNewClientConfig().withUrl("https://127.0.0.1:31998/webhook").withCaBundle("b2xk")
                        .endClientConfig().endWebhook()
                        .build()).create();
    }

    private MutatingWebhookConfiguration webhookConfiguration() {
        return client.admissionRegistration().v1().mutatingWebhookConfigurations().withName("hami-webhook").get();
    }

    private CertgenRun patch(String webhookName) {
        return CertgenRun.of(client, Clock.systemUTC(), "patch", "--webhook-name", webhookName,
                "--namespace", "kube-system", "--secret-name", "hami-scheduler-tls");
    }
}
