package dev.gpushare.charts;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * The placement seal key every replica shares (a Secret created once, kept across upgrades and uninstalls), the
 * migration cut-off for unsealed allocations, and the webhook's UPDATE check with the writers it allows.
 */
class PlacementSealTest {

    @Test
    void theChartCreatesARandomKeyAndTheMigrationCutOffOnceAndKeepsThem() {
        Instant before = Instant.now();
        Rendered rendered = Chart.render(Chart.Options.defaults());
        Instant after = Instant.now();

        Secret secret = rendered.get(Secret.class, "hami-scheduler-seal");
        assertThat(secret.getMetadata().getAnnotations()).containsEntry("helm.sh/resource-policy", "keep");
        assertThat(secret.getData()).containsOnlyKeys("seal.key", "trust-unsealed-before");
        assertThat(Base64.getDecoder().decode(secret.getData().get("seal.key"))).hasSize(32);
        Instant cutOff = OffsetDateTime.parse(new String(Base64.getDecoder().decode(
                secret.getData().get("trust-unsealed-before")))).toInstant();
        // The chart's first render plus unsealedGrace (15m), to the second.
        assertThat(cutOff).isBetween(before.plus(Duration.ofMinutes(15)).minusSeconds(1),
                after.plus(Duration.ofMinutes(15)).plusSeconds(1));
        assertThat(Chart.render(Chart.Options.defaults()).get(Secret.class, "hami-scheduler-seal").getData()
                .get("seal.key")).as("a render without the cluster's Secret draws a new key")
                .isNotEqualTo(secret.getData().get("seal.key"));
    }

    @Test
    void theKeyIsMountedWhereTheSettingPointsAndTheCutOffComesFromTheSecret() {
        Rendered rendered = Chart.render(Chart.Options.defaults());
        PodSpec pod = rendered.scheduler().getSpec().getTemplate().getSpec();
        VolumeMount mount = rendered.extender().getVolumeMounts().stream()
                .filter(m -> m.getMountPath().equals("/seal")).findFirst().orElseThrow();
        Volume volume = pod.getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst()
                .orElseThrow();

        assertThat(mount.getReadOnly()).isTrue();
        assertThat(volume.getSecret().getSecretName()).isEqualTo("hami-scheduler-seal");
        assertThat(volume.getSecret().getItems()).singleElement().satisfies(
                item -> assertThat(item.getKey() + " -> " + item.getPath()).isEqualTo("seal.key -> seal.key"));
        assertThat(rendered.extenderEnv())
                .containsEntry("HAMI_LEDGER_SEALKEYFILE", "/seal/seal.key")
                .containsEntry("HAMI_LEDGER_TRUSTUNSEALED", "false")
                .containsEntry("HAMI_LEDGER_TRUSTUNSEALEDBEFORE",
                        "secretKeyRef:hami-scheduler-seal/trust-unsealed-before");
        assertThat(rendered.extender().getEnv().stream().filter(e -> e.getName().equals(
                "HAMI_LEDGER_TRUSTUNSEALEDBEFORE")).findFirst().orElseThrow().getValueFrom().getSecretKeyRef()
                .getOptional()).as("a Secret of the operator's may leave the cut-off out").isTrue();
    }

    @Test
    void anExplicitCutOffAndTheCanarysTrustAreLiteralSettings() {
        Rendered rendered = Chart.render(Chart.Options.defaults()
                .set("scheduler.ledger.trustUnsealedBefore", "2026-12-01T00:00:00Z")
                .set("scheduler.ledger.trustUnsealed", true));

        assertThat(rendered.extenderEnv())
                .containsEntry("HAMI_LEDGER_TRUSTUNSEALEDBEFORE", "2026-12-01T00:00:00Z")
                .containsEntry("HAMI_LEDGER_TRUSTUNSEALED", "true");
    }

    @Test
    void anExistingSecretReplacesTheChartsOwn() {
        Rendered rendered = Chart.render(Chart.Options.defaults().set("scheduler.ledger.existingSecret", "my-seal"));

        assertThat(rendered.find(Secret.class, "hami-scheduler-seal")).isEmpty();
        assertThat(rendered.scheduler().getSpec().getTemplate().getSpec().getVolumes())
                .filteredOn(v -> v.getSecret() != null && "my-seal".equals(v.getSecret().getSecretName())).hasSize(1);
        assertThat(rendered.extenderEnv())
                .containsEntry("HAMI_LEDGER_TRUSTUNSEALEDBEFORE", "secretKeyRef:my-seal/trust-unsealed-before");
    }

    @Test
    void theWebhookChecksUpdatesAllowingOurAndTheDevicePluginsAccountsAndTheListedOnes() {
        Rendered rendered = Chart.render(Chart.Options.defaults()
                .set("mockDevicePlugin.enabled", true)
                .set("scheduler.admissionWebhook.extraAnnotationWriters[0]", "ops-admin"));

        assertThat(WebhookTest.webhook(rendered).getRules()).singleElement()
                .satisfies(rule -> assertThat(rule.getOperations()).containsExactly("CREATE", "UPDATE"));
        assertThat(rendered.extenderEnv()).containsEntry("HAMI_WEBHOOK_ANNOTATIONWRITERS",
                "system:serviceaccount:gpu-system:hami-scheduler,system:serviceaccount:gpu-system:hami-device-plugin,"
                        + "system:serviceaccount:gpu-system:hami-mock-device-plugin,ops-admin");
    }

    @Test
    void withoutAKnownDevicePluginAccountUpdatesAreNotChecked() {
        // The device plugin writes bind-phase: refusing its UPDATEs would leave every GPU pod allocating.
        Rendered rendered = Chart.render(Chart.Options.defaults().set("devicePlugin.enabled", false));

        assertThat(WebhookTest.webhook(rendered).getRules()).singleElement()
                .satisfies(rule -> assertThat(rule.getOperations()).containsExactly("CREATE"));
        assertThat(rendered.extenderEnv()).doesNotContainKey("HAMI_WEBHOOK_ANNOTATIONWRITERS");
    }
}
