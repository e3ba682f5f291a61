package dev.gpushare.scheduler;

import dev.gpushare.certgen.Certgen;
import dev.gpushare.scheduler.cli.BuildInfo;
import dev.gpushare.scheduler.cli.HamiFlags;
import dev.gpushare.scheduler.cli.PropertyNames;
import dev.gpushare.ops.Ops;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.PrintStream;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.event.ApplicationPreparedEvent;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.ApplicationListener;

/**
 * The only runnable: scheduler extender, admission webhook and leader election in one process. With
 * {@code certgen} as the first argument it runs the chart's certificate job instead ({@link Certgen}; no Spring
 * context) and exits with its code; with {@code preflight}, {@code state} or {@code smoke-test} it runs that
 * operations command ({@link Ops}) the same way. Otherwise the arguments go through {@link HamiFlags}: HAMi's
 * scheduler flags are mapped or refused, {@code --help} and {@code --version} answer without starting.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class SchedulerApplication {

    static final String CERTGEN = "certgen";
    /** Exit code of a command line that is refused. */
    static final int USAGE = 2;

    public static void main(String[] args) {
        if (args.length > 0 && CERTGEN.equals(args[0])) {
            System.exit(certgen(args, System.out, System.err));
            return;
        }
        if (args.length > 0 && Ops.handles(args[0])) {
            System.exit(ops(args, System.out, System.err));
            return;
        }
        HamiFlags.Outcome outcome = HamiFlags.translate(List.of(withDemoSwitch(args)), PropertyNames.hami());
        OptionalInt answered = answerWithoutStarting(outcome, System.out, System.err);
        if (answered.isPresent()) {
            System.exit(answered.getAsInt());
            return;
        }
        HamiFlags.Run run = (HamiFlags.Run) outcome;
        SpringApplication application = new SpringApplication(SchedulerApplication.class);
        application.addListeners(new StartupLog(run.notices()));
        application.run(run.springArgs().toArray(String[]::new));
    }

    /** The exit code of {@code --help}, {@code --version} or a refused command line; empty when the service runs. */
    static OptionalInt answerWithoutStarting(HamiFlags.Outcome outcome, PrintStream out, PrintStream err) {
        if (outcome instanceof HamiFlags.Help) {
            out.print(usage());
            return OptionalInt.of(0);
        }
        if (outcome instanceof HamiFlags.Version) {
            out.println(BuildInfo.read().line());
            return OptionalInt.of(0);
        }
        if (outcome instanceof HamiFlags.Refused refused) {
            err.println("gpushare-scheduler: " + refused.message());
            return OptionalInt.of(USAGE);
        }
        return OptionalInt.empty();
    }

    static String usage() {
        return "Usage: java -jar gpushare-scheduler-<version>-exec.jar [--<property>=<value>]...\n"
                + "       java -jar gpushare-scheduler-<version>-exec.jar certgen create|patch [options]\n"
                + "       java -jar gpushare-scheduler-<version>-exec.jar preflight|state|smoke-test [options]\n"
                + "\n"
                + "The scheduler extender (/filter, /bind), the mutating admission webhook (/webhook) and leader\n"
                + "election of a HAMi-compatible GPU-sharing scheduler.\n"
                + "\n"
                + "Options:\n"
                + "  --<property>=<value>  any setting of docs/configuration.md, e.g. --hami.kubernetes.mode=cluster,\n"
                + "                       --hami.bind.lock-wait=5s, --management.server.port=9395; an unknown\n"
                + "                       hami.* property is refused\n"
                + "  --demo               submit a mixed stream of demo GPU pods (embedded mode)\n"
                + "  --help, -h           this text\n"
                + "  --version            the build's version\n"
                + "\n"
                + "HAMi scheduler flags (v2.10.0), accepted for a drop-in start with a deprecation line, or refused:\n"
                + HamiFlags.table("  ");
    }

    /** {@code --demo} is short for {@code --hami.embedded.demo.enabled=true}. */
    static String[] withDemoSwitch(String[] args) {
        return Arrays.stream(args).map(a -> a.equals("--demo") ? "--hami.embedded.demo.enabled=true" : a)
                .toArray(String[]::new);
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

    /** Logs the build and one line per deprecated HAMi flag, once logging is set up. */
    static final class StartupLog implements ApplicationListener<ApplicationPreparedEvent> {

        private static final Logger log = LoggerFactory.getLogger(SchedulerApplication.class);
        private final List<String> notices;

        StartupLog(List<String> notices) {
            this.notices = notices;
        }

        @Override
        public void onApplicationEvent(ApplicationPreparedEvent event) {
            log.info("starting {}", BuildInfo.read().line());
            notices.forEach(log::warn);
        }
    }

    /** Runs an operations command ({@link Ops}: preflight, state, smoke-test) against the same cluster. */
    static int ops(String[] args, PrintStream out, PrintStream err) {
        try (KubernetesClient client = new KubernetesClientBuilder().build()) {
            return Ops.run(args, () -> client, out, err, Clock.systemUTC());
        }
    }
}
