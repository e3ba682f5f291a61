package dev.gpushare.certgen;

import java.io.PrintStream;
import java.time.Clock;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/**
 * The {@code certgen} command run by the chart's install/upgrade jobs (the scheduler's {@code main} dispatches
 * {@code certgen ...} here; {@code args[0]} is the subcommand).
 *
 * <pre>
 * certgen create --namespace NS --secret-name NAME --host HOST[,HOST...]
 * certgen patch  --webhook-name NAME --namespace NS --secret-name NAME
 * </pre>
 *
 * <p>{@code create} makes Opaque Secret NS/NAME hold {@code ca}, {@code tls.crt}, {@code tls.key} (PEM, HAMi's
 * layout) and {@code ca.key}: an ECDSA P-256 CA valid 10 years and a server certificate valid 1 year for the hosts
 * (IP SANs for IP literals, DNS SANs otherwise; see {@link CertificateIssuer}). A second run changes nothing. The
 * server certificate is renewed when it expires within 30 days, lacks a requested host, or the Secret's content is
 * unparsable or inconsistent; the CA is kept when its key is stored and it outlives the new certificate (so the
 * {@code caBundle} stays valid), otherwise a new CA is made (see {@link SecretCertificates}). RBAC: secrets get,
 * create, update in NS.
 *
 * <p>{@code patch} sets {@code clientConfig.caBundle} of every webhook of MutatingWebhookConfiguration NAME to the
 * base64 of the Secret's {@code ca}. RBAC: secrets get in NS; mutatingwebhookconfigurations get, update.
 *
 * <p>Exit codes ({@link ExitCode}):
 * <ul>
 *   <li>0 — done (created, renewed, patched, or already up to date);</li>
 *   <li>1 — API error (server unreachable, unexpected status, conflicts persisting after 5 attempts) or an
 *       unexpected failure;</li>
 *   <li>2 — usage error (unknown subcommand or flag, missing or empty value, invalid host);</li>
 *   <li>3 — {@code patch}: the Secret does not exist or has no usable {@code ca};</li>
 *   <li>4 — {@code patch}: the MutatingWebhookConfiguration does not exist or has no webhooks;</li>
 *   <li>5 — forbidden (HTTP 403): the message names the verb and resource the service account lacks.</li>
 * </ul>
 * Progress goes to {@code out} (one line per decision), errors to {@code err}. No key material is ever printed.
 */
public final class Certgen {

    private Certgen() {
    }

    public static void main(String[] args) {
        int exitCode;
        try (KubernetesClient client = new KubernetesClientBuilder().build()) {
            exitCode = run(args, client, System.out, System.err);
        }
        System.exit(exitCode);
    }

    public static int run(String[] args, KubernetesClient client, PrintStream out, PrintStream err) {
        return run(args, client, out, err, Clock.systemUTC());
    }

    /** As {@link #run(String[], KubernetesClient, PrintStream, PrintStream)} with the clock that judges expiry. */
    public static int run(String[] args, KubernetesClient client, PrintStream out, PrintStream err, Clock clock) {
        CommandLine commandLine;
        try {
            commandLine = CommandLine.parse(args);
        } catch (UsageException e) {
            err.println("certgen: " + e.getMessage());
            err.println(CommandLine.USAGE);
            return ExitCode.USAGE.code();
        }
        try {
            ExitCode result;
            if (commandLine instanceof CommandLine.Create create) {
                result = new CreateSecretCommand(client, clock, out).run(create);
            } else if (commandLine instanceof CommandLine.Patch patch) {
                result = new PatchWebhookCommand(client, out, err).run(patch);
            } else {
                out.println(CommandLine.USAGE);
                result = ExitCode.OK;
            }
            return result.code();
        } catch (ApiCallException e) {
            err.println("certgen: " + e.getMessage());
            return e.exitCode().code();
        } catch (RuntimeException e) {
            err.println("certgen: unexpected failure: " + e);
            return ExitCode.API_ERROR.code();
        }
    }
}
