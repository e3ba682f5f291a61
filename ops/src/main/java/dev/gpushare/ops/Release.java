package dev.gpushare.ops;

import java.util.List;
import java.util.Set;

/**
 * Where the chart put things: the release namespace and the names the chart derives from the release name (HAMi's
 * chart naming: {@code <release>-scheduler}, {@code <release>-device-plugin}, {@code <release>-webhook},
 * {@code <release>-scheduler-tls}; the Lease is named like the scheduler Deployment), and the scheduler names whose
 * GPU pods are expected.
 */
public record Release(String namespace, String name, List<String> schedulerNames) {

    public static final String DEFAULT_NAMESPACE = "kube-system";
    public static final String DEFAULT_NAME = "hami";
    public static final String DEFAULT_SCHEDULER_NAME = "hami-scheduler";

    /** The flags every cluster-reading subcommand takes. */
    public static final Set<String> FLAGS = Set.of("namespace", "release", "scheduler-names");

    public Release {
        schedulerNames = List.copyOf(schedulerNames);
    }

    public static Release from(Arguments args) throws UsageException {
        List<String> names = List.of(args.get("scheduler-names", DEFAULT_SCHEDULER_NAME).split(","));
        if (names.stream().anyMatch(String::isBlank)) {
            throw new UsageException("--scheduler-names has an empty item");
        }
        return new Release(args.get("namespace", DEFAULT_NAMESPACE), args.get("release", DEFAULT_NAME),
                names.stream().map(String::trim).toList());
    }

    public String schedulerDeployment() {
        return name + "-scheduler";
    }

    public String devicePluginDaemonSet() {
        return name + "-device-plugin";
    }

    public String webhookConfiguration() {
        return name + "-webhook";
    }

    public String tlsSecret() {
        return name + "-scheduler-tls";
    }

    public String lease() {
        return name + "-scheduler";
    }

    public static final String USAGE_TEXT = """
              --namespace NS           release namespace (default kube-system)
              --release NAME           Helm release name; objects are NAME-scheduler, NAME-device-plugin,
                                       NAME-webhook, NAME-scheduler-tls, Lease NAME-scheduler (default hami)
              --scheduler-names A[,B]  scheduler names GPU pods may use (default hami-scheduler)""";
}
