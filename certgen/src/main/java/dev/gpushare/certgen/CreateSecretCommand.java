package dev.gpushare.certgen;

import java.io.PrintStream;
import java.time.Clock;
import java.util.Map;

import dev.gpushare.certgen.ApiCallException.ApiTarget;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * {@code certgen create}: makes sure Secret NS/NAME holds a CA and a valid server certificate for the hosts.
 * Leaves a good Secret untouched (same {@code resourceVersion}); renews per {@link SecretCertificates#evaluate}.
 * Writes use the read {@code resourceVersion} (no lost update); on a conflict it reads again and decides again.
 */
final class CreateSecretCommand {

    static final int MAX_ATTEMPTS = 5;

    private final KubernetesClient client;
    private final Clock clock;
    private final PrintStream out;

    CreateSecretCommand(KubernetesClient client, Clock clock, PrintStream out) {
        this.client = client;
        this.clock = clock;
        this.out = out;
    }

    ExitCode run(CommandLine.Create command) throws ApiCallException {
        ApiTarget target = ApiTarget.secret(command.namespace(), command.secretName());
        for (int attempt = 1; ; attempt++) {
            try {
                return reconcile(command, target);
            } catch (ApiCallException e) {
                if (!e.conflict() || attempt == MAX_ATTEMPTS) {
                    throw e;
                }
                out.println(target + " changed concurrently (" + e.getMessage() + "); reading it again");
            }
        }
    }

    private ExitCode reconcile(CommandLine.Create command, ApiTarget target) throws ApiCallException {
        var secrets = client.secrets().inNamespace(command.namespace());
        Secret existing = ApiCallException.attempt(target, "get",
                () -> secrets.withName(command.secretName()).get());
        CertificateIssuer issuer = new CertificateIssuer(clock);
        if (existing == null) {
            ServerCertificate issued = issuer.issue(command.hosts());
            Secret secret = new SecretBuilder()
                    .withNewMetadata()
                    .withName(command.secretName())
                    .withNamespace(command.namespace())
                    .addToLabels("app.kubernetes.io/managed-by", "gpushare-certgen")
                    .endMetadata()
                    .withType("Opaque")
                    .withData(SecretCertificates.toSecretData(issued))
                    .build();
            ApiCallException.attempt(target, "create", () -> secrets.resource(secret).create());
            out.println("created " + target + ": " + describe(issued, command.hosts()));
            return ExitCode.OK;
        }
        SecretCertificates.Verdict verdict =
                SecretCertificates.evaluate(existing.getData(), command.hosts(), clock.instant());
        if (verdict instanceof SecretCertificates.UpToDate upToDate) {
            out.println(target + " is up to date: server certificate valid until "
                    + upToDate.certificate().getNotAfter().toInstant() + "; nothing changed");
            return ExitCode.OK;
        }
        SecretCertificates.Renew renew = (SecretCertificates.Renew) verdict;
        ServerCertificate issued = renew.reusableCa()
                .map(ca -> issuer.issue(ca, command.hosts()))
                .orElseGet(() -> issuer.issue(command.hosts()));
        Map<String, String> data = SecretCertificates.toSecretData(issued);
        // Keeps the read resourceVersion, so the update fails with 409 if anyone wrote in between.
        Secret renewed = new SecretBuilder(existing).addToData(data).build();
        ApiCallException.attempt(target, "update", () -> secrets.resource(renewed).update());
        out.println("renewed " + target + " because " + renew.reason() + ": "
                + (renew.reusableCa().isPresent() ? "same CA, " : "NEW CA (run certgen patch to update caBundle), ")
                + describe(issued, command.hosts()));
        return ExitCode.OK;
    }

    private static String describe(ServerCertificate issued, WebhookHosts hosts) {
        return "server certificate for " + String.join(", ", hosts.hosts()) + " valid until "
                + issued.certificate().getNotAfter().toInstant() + ", CA valid until "
                + issued.ca().certificate().getNotAfter().toInstant();
    }
}
