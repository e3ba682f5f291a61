package dev.gpushare.certgen;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.gpushare.certgen.ApiCallException.ApiTarget;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * {@code certgen patch}: sets {@code clientConfig.caBundle} of every webhook of a MutatingWebhookConfiguration to
 * the base64 of the Secret's {@value SecretCertificates#CA} PEM. Nothing else is touched (failurePolicy stays).
 * The update carries the read {@code resourceVersion}; on a conflict it reads again and retries.
 */
final class PatchWebhookCommand {

    private final KubernetesClient client;
    private final PrintStream out;
    private final PrintStream err;

    PatchWebhookCommand(KubernetesClient client, PrintStream out, PrintStream err) {
        this.client = client;
        this.out = out;
        this.err = err;
    }

    ExitCode run(CommandLine.Patch command) throws ApiCallException {
        ApiTarget secretTarget = ApiTarget.secret(command.namespace(), command.secretName());
        Secret secret = ApiCallException.attempt(secretTarget, "get",
                () -> client.secrets().inNamespace(command.namespace()).withName(command.secretName()).get());
        if (secret == null) {
            err.println(secretTarget + " not found: run certgen create first");
            return ExitCode.SECRET_NOT_FOUND;
        }
        String caPem;
        try {
            caPem = SecretCertificates.decode(secret.getData() == null ? Map.of() : secret.getData(),
                    SecretCertificates.CA);
            Pem.readCertificate(caPem);
        } catch (PemException e) {
            err.println(secretTarget + " has no usable '" + SecretCertificates.CA + "' entry: " + e.getMessage());
            return ExitCode.SECRET_NOT_FOUND;
        }
        String caBundle = Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.US_ASCII));

        ApiTarget webhookTarget = ApiTarget.mutatingWebhookConfiguration(command.webhookName());
        for (int attempt = 1; ; attempt++) {
            try {
                return setCaBundle(webhookTarget, caBundle);
            } catch (ApiCallException e) {
                if (!e.conflict() || attempt == CreateSecretCommand.MAX_ATTEMPTS) {
                    throw e;
                }
                out.println(webhookTarget + " changed concurrently (" + e.getMessage() + "); reading it again");
            }
        }
    }

    private ExitCode setCaBundle(ApiTarget target, String caBundle) throws ApiCallException {
        var configurations = client.admissionRegistration().v1().mutatingWebhookConfigurations();
        MutatingWebhookConfiguration configuration = ApiCallException.attempt(target, "get",
                () -> configurations.withName(target.name()).get());
        if (configuration == null) {
            err.println(target + " not found: is the chart's webhook installed under this name?");
            return ExitCode.WEBHOOK_NOT_FOUND;
        }
        List<MutatingWebhook> webhooks = configuration.getWebhooks();
        if (webhooks == null || webhooks.isEmpty()) {
            err.println(target + " has no webhooks to patch");
            return ExitCode.WEBHOOK_NOT_FOUND;
        }
        List<String> names = webhooks.stream().map(MutatingWebhook::getName).toList();
        boolean current = webhooks.stream().allMatch(webhook -> webhook.getClientConfig() != null
                && Objects.equals(webhook.getClientConfig().getCaBundle(), caBundle));
        if (current) {
            out.println(target + ": caBundle already current on " + names + "; nothing changed");
            return ExitCode.OK;
        }
        for (MutatingWebhook webhook : webhooks) {
            if (webhook.getClientConfig() == null) {
                webhook.setClientConfig(new WebhookClientConfig());
            }
            webhook.getClientConfig().setCaBundle(caBundle);
        }
        // Keeps the read resourceVersion, so the update fails with 409 if anyone wrote in between.
        ApiCallException.attempt(target, "update", () -> configurations.resource(configuration).update());
        out.println(target + ": caBundle set on " + names);
        return ExitCode.OK;
    }
}
