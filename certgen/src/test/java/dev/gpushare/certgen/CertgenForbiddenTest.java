package dev.gpushare.certgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.List;

import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.Test;

/** Missing RBAC: the API server answers 403; the message must name the verb and resource to grant. */
@EnableKubernetesMockClient
class CertgenForbiddenTest {

    KubernetesMockServer server;
    KubernetesClient client;

    @Test
    void forbiddenSecretCreateNamesVerbAndResource() {
        server.expect().get().withPath("/api/v1/namespaces/kube-system/secrets/hami-scheduler-tls")
                .andReturn(404, notFound()).always();
        server.expect().post().withPath("/api/v1/namespaces/kube-system/secrets")
                .andReturn(403, forbidden("secrets is forbidden: User \"system:serviceaccount:kube-system:hami-admission\""
                        + " cannot create resource \"secrets\" in API group \"\" in the namespace \"kube-system\""))
                .always();

        CertgenRun run = CertgenRun.of(client, Clock.systemUTC(), "create", "--namespace", "kube-system",
                "--secret-name", "hami-scheduler-tls", "--host", "hami-scheduler.kube-system.svc");

        assertThat(run.exitCode()).isEqualTo(5);
        assertThat(run.err()).startsWith("certgen: forbidden: cannot create secrets \"hami-scheduler-tls\" in "
                + "namespace \"kube-system\": the service account needs verb 'create' on resource 'secrets' "
                + "(API server said: secrets is forbidden: User");
    }

    @Test
    void forbiddenWebhookConfigurationGetNamesVerbResourceAndGroup() {
        server.expect().get().withPath("/api/v1/namespaces/kube-system/secrets/hami-scheduler-tls")
                .andReturn(403, forbidden("no")).always();

        CertgenRun secretDenied = patch();

        assertThat(secretDenied.exitCode()).isEqualTo(5);
        assertThat(secretDenied.err()).isEqualTo("certgen: forbidden: cannot get secrets \"hami-scheduler-tls\" in "
                + "namespace \"kube-system\": the service account needs verb 'get' on resource 'secrets' "
                + "(API server said: no)\n");
    }

    @Test
    void forbiddenWebhookUpdateNamesTheApiGroup() {
        server.expect().get().withPath("/api/v1/namespaces/kube-system/secrets/hami-scheduler-tls")
                .andReturn(200, new SecretBuilder().withNewMetadata()
                        .withName("hami-scheduler-tls").withNamespace("kube-system").endMetadata()
                        .withData(SecretCertificates.toSecretData(new CertificateIssuer(Clock.systemUTC())
                                .issue(new WebhookHosts(List.of("svc"))))).build()).always();
        server.expect().get().withPath("/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/hami-webhook")
                .andReturn(200, new MutatingWebhookConfigurationBuilder().withNewMetadata().withName("hami-webhook")
                        .withResourceVersion("7").endMetadata().addNewWebhook().withName("vgpu.hami.io")
                        .withNewClientConfig().withUrl("https://x/webhook").endClientConfig().endWebhook().build())
                .always();
        server.expect().put().withPath("/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/hami-webhook")
                .andReturn(403, forbidden("denied")).always();

        CertgenRun run = patch();

        assertThat(run.exitCode()).isEqualTo(5);
        assertThat(run.err()).isEqualTo("certgen: forbidden: cannot update mutatingwebhookconfigurations "
                + "\"hami-webhook\": the service account needs verb 'update' on resource "
                + "'mutatingwebhookconfigurations' in API group 'admissionregistration.k8s.io' "
                + "(API server said: denied)\n");
    }

    private CertgenRun patch() {
        return CertgenRun.of(client, Clock.systemUTC(), "patch", "--webhook-name", "hami-webhook",
                "--namespace", "kube-system", "--secret-name", "hami-scheduler-tls");
    }

    private static Status forbidden(String message) {
        return new StatusBuilder().withStatus("Failure").withReason("Forbidden").withCode(403).withMessage(message)
                .build();
    }

    private static Status notFound() {
        return new StatusBuilder().withStatus("Failure").withReason("NotFound").withCode(404).build();
    }
}
