package dev.gpushare.charts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpushare.certgen.Certgen;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The certificate jobs: Helm hooks in the right phases, deleted on success, running our image's certgen with
 * arguments that certgen accepts, under their own least-privilege service account.
 */
@EnableKubernetesMockClient(crud = true)
class CertificateJobsTest {

    static final String CREATE = "hami-admission-create";
    static final String PATCH = "hami-admission-patch";

    KubernetesClient client;

    @Test
    void createRunsBeforeInstallAndUpgradePatchAfterBothAreDeletedOnSuccess() {
        Rendered rendered = Chart.render(Chart.Options.defaults());

        assertThat(rendered.get(Job.class, CREATE).getMetadata().getAnnotations())
                .containsEntry("helm.sh/hook", "pre-install,pre-upgrade")
                .containsEntry("helm.sh/hook-delete-policy", "before-hook-creation,hook-succeeded")
                .containsEntry("helm.sh/hook-weight", "0");
        assertThat(rendered.get(Job.class, PATCH).getMetadata().getAnnotations())
                .containsEntry("helm.sh/hook", "post-install,post-upgrade")
                .containsEntry("helm.sh/hook-delete-policy", "before-hook-creation,hook-succeeded")
                .containsEntry("helm.sh/hook-weight", "0");
        for (String kind : List.of("ServiceAccount", "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding")) {
            HasMetadata object = rendered.kind(kind).stream()
                    .filter(o -> o.getMetadata().getName().equals("hami-admission")).findFirst().orElseThrow();
            assertThat(object.getMetadata().getAnnotations()).as(kind)
                    .containsEntry("helm.sh/hook", "pre-install,pre-upgrade,post-install,post-upgrade")
                    .containsEntry("helm.sh/hook-weight", "-10")
                    .containsEntry("helm.sh/hook-delete-policy", "before-hook-creation,hook-succeeded");
        }
        for (String job : List.of(CREATE, PATCH)) {
            var pod = rendered.get(Job.class, job).getSpec().getTemplate();
            assertThat(pod.getSpec().getServiceAccountName()).isEqualTo("hami-admission");
            assertThat(pod.getSpec().getContainers().get(0).getImage()).as("our own image")
                    .isEqualTo(rendered.extender().getImage());
            assertThat(pod.getSpec().getSecurityContext().getRunAsUser()).isEqualTo(2000L);
            assertThat(pod.getMetadata().getLabels()).containsEntry("hami.io/webhook", "ignore");
        }
        assertThat(rendered.manifest()).doesNotContain("kube-webhook-certgen");
    }

    @Test
    void theJobsArgumentsMakeTheSecretTheSchedulerMountsAndPatchTheChartsWebhook() {
        Rendered rendered = Chart.render(Chart.Options.defaults());
        MutatingWebhookConfiguration webhook = rendered.get(MutatingWebhookConfiguration.class, "hami-webhook");
        client.resource(webhook).create();

        Run create = certgen(args(rendered, CREATE));
        Secret secret = client.secrets().inNamespace(Chart.NAMESPACE).withName("hami-scheduler-tls").get();
        Run patch = certgen(args(rendered, PATCH));

        assertThat(create.exitCode()).as(create.err()).isZero();
        assertThat(create.out()).startsWith("created secrets \"hami-scheduler-tls\" in namespace \"gpu-system\": "
                + "server certificate for hami-scheduler.gpu-system.svc, hami-scheduler.gpu-system.svc.cluster.local,"
                + " 127.0.0.1 valid until");
        assertThat(secret.getData()).containsKeys("tls.crt", "tls.key", "ca");
        assertThat(rendered.extenderEnv()).containsEntry("HAMI_WEBHOOK_TLS_CERTFILE", "/tls/tls.crt")
                .containsEntry("HAMI_WEBHOOK_TLS_KEYFILE", "/tls/tls.key");
        assertThat(patch.exitCode()).as(patch.err()).isZero();
        String caBundle = client.admissionRegistration().v1().mutatingWebhookConfigurations().withName("hami-webhook")
                .get().getWebhooks().get(0).getClientConfig().getCaBundle();
        assertThat(new String(Base64.getDecoder().decode(caBundle), StandardCharsets.US_ASCII))
                .isEqualTo(new String(Base64.getDecoder().decode(secret.getData().get("ca")), StandardCharsets.US_ASCII));
    }

    @Test
    void theJobsMayTouchOnlyTheirSecretAndTheChartsWebhook() {
        Rendered rendered = Chart.render(Chart.Options.defaults());

        assertThat(rendered.get(Role.class, "hami-admission").getRules()).containsExactly(
                rule("", "secrets", List.of(), "create"),
                rule("", "secrets", List.of("hami-scheduler-tls"), "get", "update"));
        assertThat(rendered.get(ClusterRole.class, "hami-admission").getRules()).containsExactly(
                rule("admissionregistration.k8s.io", "mutatingwebhookconfigurations", List.of("hami-webhook"),
                        "get", "update"));
    }

    @Test
    void aCertgenOfAnotherProjectIsRefused() {
        assertThat(Chart.renderError(Chart.Options.defaults()
                .set("scheduler.patch.image.repository", "jettech/kube-webhook-certgen")
                .set("scheduler.patch.image.tag", "v1.5.2")))
                .contains("the certificate jobs run this chart's certgen");
    }

    @Test
    void patchDisabledLeavesTheSecretToTheUser() {
        Rendered rendered = Chart.render(Chart.Options.defaults().set("scheduler.patch.enabled", false));

        assertThat(rendered.kind("Job")).isEmpty();
        assertThat(rendered.kind("MutatingWebhookConfiguration")).hasSize(1);
    }

    static PolicyRule rule(String group, String resource, List<String> names, String... verbs) {
        PolicyRule rule = new PolicyRule();
        rule.setApiGroups(List.of(group));
        rule.setResources(List.of(resource));
        rule.setResourceNames(names);
        rule.setVerbs(List.of(verbs));
        return rule;
    }

    static List<String> args(Rendered rendered, String job) {
        return rendered.get(Job.class, job).getSpec().getTemplate().getSpec().getContainers().get(0).getArgs();
    }

    record Run(int exitCode, String out, String err) {
    }

    /** As the image's entry point does: {@code certgen} selects the command, the rest are its arguments. */
    private Run certgen(List<String> args) {
        assertThat(args.get(0)).isEqualTo("certgen");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Certgen.run(args.subList(1, args.size()).toArray(String[]::new), client,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

}
