package dev.gpushare.certgen;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;

import io.fabric8.kubernetes.client.KubernetesClient;

/** One {@link Certgen#run} invocation with its captured output. */
record CertgenRun(int exitCode, String out, String err) {

    static CertgenRun of(KubernetesClient client, Clock clock, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exitCode = Certgen.run(args, client, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), clock);
        return new CertgenRun(exitCode, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
