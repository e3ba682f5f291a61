package dev.gpushare.ops.preflight;

import dev.gpushare.certgen.Pem;
import dev.gpushare.certgen.PemException;
import dev.gpushare.certgen.SecretCertificates;
import dev.gpushare.ops.ClusterFacts;
import dev.gpushare.ops.Release;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** The MutatingWebhookConfiguration's {@code caBundle} against the serving certificate, and its expiry. */
final class WebhookChecks {

    /** cert-manager names the CA key {@code ca.crt}; certgen and HAMi's certgen {@code ca}. */
    private static final String CERT_MANAGER_CA = "ca.crt";

    private WebhookChecks() {
    }

    static List<Check> webhook(ClusterFacts facts, Release release, PreflightSettings settings, Instant now) {
        String secretName = "Secret " + release.namespace() + "/" + release.tlsSecret();
        if (facts.webhook().isEmpty()) {
            return List.of(Check.fail("webhook", "MutatingWebhookConfiguration " + release.webhookConfiguration()
                    + " not found: GPU pods are not mutated and keep default-scheduler"));
        }
        if (facts.tlsSecret().isEmpty()) {
            return List.of(Check.fail("webhook", secretName + " not found: the scheduler has no serving certificate"));
        }
        Map<String, String> data = facts.tlsSecret().map(Secret::getData).orElse(Map.of());
        X509Certificate serving;
        try {
            serving = Pem.readCertificate(SecretCertificates.decode(data, SecretCertificates.CERT));
        } catch (PemException e) {
            return List.of(Check.fail("webhook", secretName + ": " + SecretCertificates.CERT + " unreadable: "
                    + e.getMessage()));
        }
        List<Check> checks = new ArrayList<>();
        List<MutatingWebhook> webhooks = facts.webhook().get().getWebhooks() == null ? List.of()
                : facts.webhook().get().getWebhooks();
        if (webhooks.isEmpty()) {
            checks.add(Check.fail("webhook", "MutatingWebhookConfiguration " + release.webhookConfiguration()
                    + " has no webhooks"));
        }
        for (MutatingWebhook webhook : webhooks) {
            String who = "webhook " + webhook.getName();
            String bundle = webhook.getClientConfig() == null ? null : webhook.getClientConfig().getCaBundle();
            if (bundle == null || bundle.isEmpty()) {
                checks.add(Check.fail("webhook", who + " has no caBundle: the API server cannot verify the scheduler"));
                continue;
            }
            X509Certificate ca;
            try {
                ca = Pem.readCertificate(new String(Base64.getDecoder().decode(bundle), StandardCharsets.US_ASCII));
            } catch (PemException | IllegalArgumentException e) {
                checks.add(Check.fail("webhook", who + ": caBundle unreadable: " + e.getMessage()));
                continue;
            }
            if (SecretCertificates.signedBy(serving, ca)) {
                checks.add(Check.pass("webhook", who + ": caBundle verifies the serving certificate of " + secretName));
            } else {
                checks.add(Check.fail("webhook", who + ": caBundle (" + ca.getSubjectX500Principal().getName()
                        + ") does not verify the serving certificate of " + secretName
                        + ": the API server refuses the TLS handshake"));
            }
        }
        if (!data.containsKey(SecretCertificates.CA) && !data.containsKey(CERT_MANAGER_CA)) {
            checks.add(Check.warn("webhook", secretName + " has no '" + SecretCertificates.CA + "' entry to patch the "
                    + "caBundle from"));
        }
        checks.add(expiry(serving, settings, now));
        return checks;
    }

    private static Check expiry(X509Certificate serving, PreflightSettings settings, Instant now) {
        Instant notAfter = serving.getNotAfter().toInstant();
        long days = Duration.between(now, notAfter).toDays();
        String when = "serving certificate expires " + NodeChecks.time(notAfter);
        if (!now.isBefore(notAfter)) {
            return Check.fail("certificate", when + ": expired; run helm upgrade (its certgen job renews it)");
        }
        if (Duration.between(now, notAfter).compareTo(settings.certificateRenew()) < 0) {
            return Check.warn("certificate", when + " (in " + days + " days); the next helm upgrade renews it");
        }
        return Check.pass("certificate", when + " (in " + days + " days)");
    }
}
