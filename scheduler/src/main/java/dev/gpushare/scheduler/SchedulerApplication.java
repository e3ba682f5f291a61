package dev.gpushare.scheduler;

import dev.gpushare.certgen.Certgen;
import dev.gpushare.ops.Ops;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.PrintStream;
import java.time.Clock;
import java.util.Arrays;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The only runnable: scheduler extender, admission webhook and leader election in one process. With
 * {@code certgen} as the first argument it runs the chart's certificate job instead ({@link Certgen}; no Spring
 * context) and exits with its code; with {@code preflight}, {@code state} or {@code smoke-test} it runs that
 * operations command ({@link Ops}) the same way.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class SchedulerApplication {

    static final String CERTGEN = "certgen";

    public static void main(String[] args) {
        if (args.length > 0 && CERTGEN.equals(args[0])) {
            System.exit(certgen(args, System.out, System.err));
            return;
        }
        if (args.length > 0 && Ops.handles(args[0])) {
            System.exit(ops(args, System.out, System.err));
            return;
        }
        SpringApplication.run(SchedulerApplication.class, args);
    }

    /**
     * Runs certgen with the arguments after {@code args[0]} ({@code certgen}) against the cluster of the environment
     * (in-cluster service account, {@code KUBECONFIG} or {@code ~/.kube/config}); returns its exit code.
     */
    static int certgen(String[] args, PrintStream out, PrintStream err) {
        try (KubernetesClient client = new KubernetesClientBuilder().build()) {
            return Certgen.run(Arrays.copyOfRange(args, 1, args.length), client, out, err);
        }
    }

    /** Runs an operations command ({@link Ops}: preflight, state, smoke-test) against the same cluster. */
    static int ops(String[] args, PrintStream out, PrintStream err) {
        try (KubernetesClient client = new KubernetesClientBuilder().build()) {
            return Ops.run(args, () -> client, out, err, Clock.systemUTC());
        }
    }
}
