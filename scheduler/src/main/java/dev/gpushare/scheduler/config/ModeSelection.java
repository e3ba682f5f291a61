package dev.gpushare.scheduler.config;

import dev.gpushare.scheduler.config.HamiProperties.KubernetesMode;
import java.nio.file.Path;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Which Kubernetes API {@code hami.kubernetes.mode} means in this environment, and why. Pure: the environment comes
 * in as {@link Surroundings}. A pod (a service-account token or {@code KUBERNETES_SERVICE_HOST}) never runs the
 * embedded API: there every real node would answer {@code node unregistered}.
 */
public final class ModeSelection {

    /** Where a kubelet mounts the service-account token of a pod. */
    public static final Path SERVICE_ACCOUNT_TOKEN = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token");

    /** The mode chosen and the reason, as the start-up log states it. */
    public record Decision(KubernetesMode mode, String reason) {
    }

    /**
     * What the choice looks at.
     *
     * @param env    environment variables ({@code null} for unset)
     * @param exists whether a file exists
     * @param home   the user's home directory ({@code ~/.kube/config} lives below it)
     */
    public record Surroundings(Function<String, String> env, Predicate<Path> exists, Path home) {

        public static Surroundings ofProcess() {
            return new Surroundings(System::getenv, java.nio.file.Files::isRegularFile,
                    Path.of(System.getProperty("user.home", "/")));
        }

        private String var(String name) {
            String value = env.apply(name);
            return value == null || value.isBlank() ? null : value;
        }
    }

    private ModeSelection() {
    }

    /**
     * @param configured {@code hami.kubernetes.mode}
     * @throws IllegalStateException for {@code embedded} inside a pod
     */
    public static Decision decide(KubernetesMode configured, Surroundings s) {
        boolean token = s.exists().test(SERVICE_ACCOUNT_TOKEN);
        String serviceHost = s.var("KUBERNETES_SERVICE_HOST");
        String inPod = token && serviceHost != null ? "service-account token and KUBERNETES_SERVICE_HOST=" + serviceHost
                : token ? "service-account token " + SERVICE_ACCOUNT_TOKEN
                : serviceHost != null ? "KUBERNETES_SERVICE_HOST=" + serviceHost : null;
        switch (configured) {
            case CLUSTER:
                return new Decision(KubernetesMode.CLUSTER, "hami.kubernetes.mode=cluster");
            case EMBEDDED:
                if (inPod != null) {
                    throw new IllegalStateException("hami.kubernetes.mode=embedded inside a pod (" + inPod + "): the"
                            + " embedded API would schedule against simulated nodes; use cluster or auto");
                }
                return new Decision(KubernetesMode.EMBEDDED, "hami.kubernetes.mode=embedded");
            default:
                break;
        }
        // The order in which fabric8 looks for credentials: a kubeconfig first, then the service account.
        String kubeconfig = s.var("KUBECONFIG");
        if (kubeconfig != null) {
            return cluster("KUBECONFIG=" + kubeconfig);
        }
        Path home = s.home().resolve(".kube").resolve("config");
        if (s.exists().test(home)) {
            return cluster(home + " exists");
        }
        if (inPod != null) {
            return cluster("in a pod: " + inPod);
        }
        return new Decision(KubernetesMode.EMBEDDED, "hami.kubernetes.mode=auto: no service-account token, no"
                + " KUBERNETES_SERVICE_HOST, no KUBECONFIG, no " + home);
    }

    private static Decision cluster(String why) {
        return new Decision(KubernetesMode.CLUSTER, "hami.kubernetes.mode=auto: " + why);
    }
}
