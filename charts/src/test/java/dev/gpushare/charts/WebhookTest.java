package dev.gpushare.charts;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The MutatingWebhookConfiguration, the Service in front of every replica's {@code /webhook}, and TLS. */
class WebhookTest {

    @Test
    void theWebhookReachesEveryReplicaThroughTheService() {
        Rendered rendered = Chart.render(Chart.Options.defaults());
        MutatingWebhook webhook = webhook(rendered);
        Service service = rendered.get(Service.class, "hami-scheduler");

        assertThat(webhook.getName()).isEqualTo("vgpu.hami.io");
        assertThat(webhook.getAdmissionReviewVersions()).containsExactly("v1", "v1beta1");
        assertThat(webhook.getClientConfig().getUrl()).isNull();
        assertThat(webhook.getClientConfig().getService().getName()).isEqualTo("hami-scheduler");
        assertThat(webhook.getClientConfig().getService().getNamespace()).isEqualTo(Chart.NAMESPACE);
        assertThat(webhook.getClientConfig().getService().getPath()).isEqualTo("/webhook");
        assertThat(webhook.getClientConfig().getService().getPort()).isEqualTo(443);
        assertThat(webhook.getFailurePolicy()).isEqualTo("Ignore");
        assertThat(webhook.getMatchPolicy()).isEqualTo("Equivalent");
        assertThat(webhook.getReinvocationPolicy()).isEqualTo("Never");
        assertThat(webhook.getSideEffects()).isEqualTo("None");
        assertThat(webhook.getTimeoutSeconds()).isEqualTo(10);
        assertThat(webhook.getRules()).singleElement().satisfies(rule -> {
            assertThat(rule.getOperations()).containsExactly("CREATE", "UPDATE");
            assertThat(rule.getResources()).containsExactly("pods");
            assertThat(rule.getApiVersions()).containsExactly("v1");
        });
        assertThat(webhook.getNamespaceSelector().getMatchExpressions()).containsExactly(ignoreLabel());
        assertThat(webhook.getObjectSelector().getMatchExpressions()).containsExactly(ignoreLabel());

        ServicePort https = port(service, "http");
        assertThat(https.getPort()).isEqualTo(443);
        assertThat(https.getNodePort()).isEqualTo(31998);
        assertThat(https.getTargetPort().getStrVal()).isEqualTo("https");
        assertThat(rendered.extender().getPorts()).filteredOn(p -> p.getName().equals("https")).singleElement()
                .satisfies(p -> assertThat(p.getContainerPort())
                        .isEqualTo(Integer.valueOf(rendered.extenderEnv().get("HAMI_WEBHOOK_PORT"))));
        ServicePort metrics = port(service, "monitor");
        assertThat(metrics.getPort()).isEqualTo(31993);
        assertThat(metrics.getTargetPort().getStrVal()).isEqualTo("metrics");
        assertThat(service.getSpec().getPorts()).as("webhook and metrics only: the extender stays in the pod")
                .hasSize(2);
        assertThat(rendered.extender().getPorts()).extracting("name").containsExactly("https", "metrics");
    }

    /**
     * In {@code leader} readiness only the leader is Ready, yet every replica answers {@code /webhook}: the Service
     * publishes not-ready replicas. In {@code always} every healthy replica is Ready. Either way the selector does
     * not depend on the leader's role label, so a failover never leaves the webhook without endpoints.
     */
    @Test
    void theWebhookServiceKeepsEndpointsOnFollowers() {
        for (String variant : List.of("ha", "ha-leader-readiness")) {
            Rendered rendered = Chart.render(Chart.Options.defaults().variant(variant));
            Service service = rendered.get(Service.class, "hami-scheduler");
            Deployment deployment = rendered.scheduler();
            Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
            boolean leaderReadiness = rendered.extenderEnv().get("HAMI_READINESS_MODE").equals("leader");

            assertThat(podLabels).as(variant).containsAllEntriesOf(service.getSpec().getSelector());
            assertThat(service.getSpec().getSelector()).as(variant).doesNotContainKey("hami.io/scheduler-role");
            assertThat(service.getSpec().getPublishNotReadyAddresses()).as(variant).isEqualTo(leaderReadiness);
            assertThat(rendered.extender().getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
            assertThat(leaderReadiness).as(variant).isEqualTo(variant.equals("ha-leader-readiness"));
        }
    }

    @Test
    void userSelectorsWhitelistAndPoliciesAreAddedToHamisOwn() {
        Rendered rendered = Chart.render(Chart.Options.defaults()
                .set("scheduler.admissionWebhook.whitelistNamespaces[0]", "kube-system")
                .set("scheduler.admissionWebhook.whitelistNamespaces[1]", "istio-system")
                .set("scheduler.admissionWebhook.namespaceSelector.matchLabels.team", "ml")
                .set("scheduler.admissionWebhook.objectSelector.matchExpressions[0].key", "hami.io/enable")
                .set("scheduler.admissionWebhook.objectSelector.matchExpressions[0].operator", "Exists")
                .set("scheduler.admissionWebhook.failurePolicy", "Fail")
                .set("scheduler.admissionWebhook.reinvocationPolicy", "IfNeeded")
                .set("scheduler.admissionWebhook.timeoutSeconds", 5));
        MutatingWebhook webhook = webhook(rendered);

        assertThat(webhook.getNamespaceSelector().getMatchLabels()).containsExactly(Map.entry("team", "ml"));
        assertThat(webhook.getNamespaceSelector().getMatchExpressions()).containsExactly(ignoreLabel(),
                requirement("kubernetes.io/metadata.name", "NotIn", "kube-system", "istio-system"));
        assertThat(webhook.getObjectSelector().getMatchExpressions()).containsExactly(ignoreLabel(),
                requirement("hami.io/enable", "Exists"));
        assertThat(webhook.getFailurePolicy()).isEqualTo("Fail");
        assertThat(webhook.getReinvocationPolicy()).isEqualTo("IfNeeded");
        assertThat(webhook.getTimeoutSeconds()).isEqualTo(5);

        MutatingWebhook unmanaged = webhook(Chart.render(Chart.Options.defaults()
                .set("scheduler.admissionWebhook.manageNamespaceSelector", false)));
        assertThat(unmanaged.getNamespaceSelector()).isNull();
        assertThat(unmanaged.getObjectSelector().getMatchExpressions()).containsExactly(ignoreLabel());
    }

    @Test
    void aCustomUrlReplacesTheServiceAndIsInTheCertificate() {
        Rendered rendered = Chart.render(Chart.Options.defaults().variant("custom-url"));

        assertThat(webhook(rendered).getClientConfig().getUrl()).isEqualTo("https://10.0.0.5:31998/webhook");
        assertThat(webhook(rendered).getClientConfig().getService()).isNull();
        assertThat(CertificateJobsTest.args(rendered, "hami-admission-create"))
                .contains("--host=hami-scheduler.gpu-system.svc,hami-scheduler.gpu-system.svc.cluster.local,"
                        + "127.0.0.1,10.0.0.5");

        Rendered withCertManager = Chart.render(Chart.Options.defaults().variant("custom-url")
                .variant("cert-manager").set("scheduler.admissionWebhook.customURL.host", "gpu.example.com"));
        Map<String, Object> spec = certificateSpec(withCertManager);
        assertThat(spec.get("dnsNames")).isEqualTo(List.of("hami-scheduler.gpu-system.svc",
                "hami-scheduler.gpu-system.svc.cluster.local", "gpu.example.com"));
        assertThat(spec.get("ipAddresses")).isEqualTo(List.of("127.0.0.1"));
    }

    @Test
    void certManagerIssuesTheSecretTheSchedulerMountsAndInjectsTheCa() {
        Rendered rendered = Chart.render(Chart.Options.defaults().variant("cert-manager"));
        Map<String, Object> spec = certificateSpec(rendered);

        assertThat(webhook(rendered).getClientConfig().getCaBundle()).isNull();
        assertThat(rendered.get(MutatingWebhookConfiguration.class, "hami-webhook").getMetadata().getAnnotations())
                .containsEntry("cert-manager.io/inject-ca-from", Chart.NAMESPACE + "/hami-scheduler-serving-cert");
        assertThat(spec.get("secretName")).isEqualTo("hami-scheduler-tls");
        assertThat(spec.get("issuerRef")).isEqualTo(Map.of("kind", "Issuer", "name",
                "hami-scheduler-selfsigned-issuer"));
        assertThat(spec.get("dnsNames")).isEqualTo(List.of("hami-scheduler.gpu-system.svc",
                "hami-scheduler.gpu-system.svc.cluster.local"));
        GenericKubernetesResource issuer = (GenericKubernetesResource) rendered.kind("Issuer").get(0);
        assertThat(issuer.getAdditionalProperties().get("spec")).isEqualTo(Map.of("selfSigned", Map.of()));
        assertThat(rendered.kind("Job")).as("cert-manager replaces the certificate jobs").isEmpty();
        assertThat(rendered.scheduler().getSpec().getTemplate().getSpec().getVolumes())
                .anySatisfy(v -> assertThat(v.getSecret() != null
                        && v.getSecret().getSecretName().equals("hami-scheduler-tls")).isTrue());
    }

    @Test
    void serviceTypeClusterIpHasNoNodePorts() {
        Service service = Chart.render(Chart.Options.defaults().set("scheduler.service.type", "ClusterIP"))
                .get(Service.class, "hami-scheduler");

        assertThat(service.getSpec().getType()).isEqualTo("ClusterIP");
        assertThat(service.getSpec().getPorts()).allSatisfy(p -> assertThat(p.getNodePort()).isNull());
    }

    @Test
    void theServicePortsAreTheValuesAndTheWebhookCallsTheServicePort() {
        Rendered rendered = Chart.render(Chart.Options.defaults()
                .set("scheduler.service.httpPort", 9443)
                .set("scheduler.service.schedulerPort", 30443)
                .set("scheduler.service.monitorPort", 30993));
        Service service = rendered.get(Service.class, "hami-scheduler");

        assertThat(port(service, "http").getPort()).isEqualTo(9443);
        assertThat(port(service, "http").getNodePort()).isEqualTo(30443);
        assertThat(port(service, "monitor").getPort()).isEqualTo(30993);
        assertThat(port(service, "monitor").getNodePort()).isEqualTo(30993);
        assertThat(webhook(rendered).getClientConfig().getService().getPort()).isEqualTo(9443);
        assertThat(webhook(rendered).getClientConfig().getService().getName()).isEqualTo("hami-scheduler");
    }

    @Test
    void portSettingsTheServiceCannotHonourFailWithTheKeyNamed() {
        assertThat(Chart.renderError(Chart.Options.defaults().set("scheduler.service.httpTargetPort", 443)))
                .contains("scheduler.service.httpTargetPort=443: the webhook runs as non-root");
        assertThat(Chart.renderError(Chart.Options.defaults().set("scheduler.service.monitorTargetPort", 9000)))
                .contains("scheduler.service.monitorTargetPort=9000 differs from the port of"
                        + " scheduler.metricsBindAddress (:9395)");
        assertThat(Chart.renderError(Chart.Options.defaults().set("scheduler.extender.port", 8443)))
                .contains("scheduler.extender.port must differ from scheduler.service.httpTargetPort");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> certificateSpec(Rendered rendered) {
        GenericKubernetesResource certificate = (GenericKubernetesResource) rendered.kind("Certificate").get(0);
        assertThat(certificate.getMetadata().getName()).isEqualTo("hami-scheduler-serving-cert");
        return (Map<String, Object>) certificate.getAdditionalProperties().get("spec");
    }

    static MutatingWebhook webhook(Rendered rendered) {
        List<MutatingWebhook> webhooks = rendered.get(MutatingWebhookConfiguration.class, "hami-webhook")
                .getWebhooks();
        assertThat(webhooks).hasSize(1);
        return webhooks.get(0);
    }

    private static ServicePort port(Service service, String name) {
        return service.getSpec().getPorts().stream().filter(p -> p.getName().equals(name)).findFirst()
                .orElseThrow();
    }

    private static LabelSelectorRequirement ignoreLabel() {
        return requirement("hami.io/webhook", "NotIn", "ignore");
    }

    private static LabelSelectorRequirement requirement(String key, String operator, String... values) {
        return new LabelSelectorRequirement(key, operator, List.of(values));
    }
}
