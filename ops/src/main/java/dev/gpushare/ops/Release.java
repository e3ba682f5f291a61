package dev.gpushare.ops;

import java.util.List;
import java.util.Set;

/**
 * Where the chart put things: the release namespace and the names the chart derives from the release name (HAMi's
 * naming, kept by {@code charts/hami}: the full name is the release name when it contains {@code hami}, else
 * {@code <release>-hami}; the objects are {@code <full>-scheduler}, {@code <full>-device-plugin},
 * {@code <full>-webhook}, {@code <full>-scheduler-tls}), and the scheduler names whose GPU pods are expected.
 */
public record Release(String namespace, String name, List<String> schedulerNames) {

    public static final String DEFAULT_NAMESPACE = "kube-system";
    public static final String DEFAULT_NAME = "hami";
    public static final String DEFAULT_SCHEDULER_NAME = "hami-scheduler";
    private static final String CHART_NAME = "hami";

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

    /** The chart's {@code hami.fullname} without overrides. */
    public String fullName() {
        return name.contains(CHART_NAME) ? name : name + "-" + CHART_NAME;
    }

    public String schedulerDeployment() {
        return fullName() + "-scheduler";
    }

    public String devicePluginDaemonSet() {
        return fullName() + "-device-plugin";
    }

    public String webhookConfiguration() {
        return fullName() + "-webhook";
    }

    public String tlsSecret() {
        return fullName() + "-scheduler-tls";
    }

    public static final String USAGE_TEXT = """
              --namespace NS           release namespace (default kube-system)
              --release NAME           Helm release name (default hami); the objects are FULL-scheduler,
                                       FULL-device-plugin, FULL-webhook, FULL-scheduler-tls, where FULL is
                                       NAME when it contains "hami", else NAME-hami (the chart's rule)
              --scheduler-names A[,B]  scheduler names GPU pods may use (default hami-scheduler)""";
}
