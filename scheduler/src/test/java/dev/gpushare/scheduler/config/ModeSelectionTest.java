package dev.gpushare.scheduler.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gpushare.scheduler.config.HamiProperties.KubernetesMode;
import dev.gpushare.scheduler.config.ModeSelection.Decision;
import dev.gpushare.scheduler.config.ModeSelection.Surroundings;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class ModeSelectionTest {

    private static final Path HOME = Path.of("/home/op");
    private static final Path HOME_CONFIG = Path.of("/home/op/.kube/config");

    /** token, KUBERNETES_SERVICE_HOST, KUBECONFIG, ~/.kube/config: every combination under auto. */
    static Stream<Arguments> auto() {
        return Stream.of(
                Arguments.of(false, false, false, false, KubernetesMode.EMBEDDED, "hami.kubernetes.mode=auto: no"
                        + " service-account token, no KUBERNETES_SERVICE_HOST, no KUBECONFIG, no /home/op/.kube/config"),
                Arguments.of(true, true, false, false, KubernetesMode.CLUSTER, "hami.kubernetes.mode=auto: in a pod:"
                        + " service-account token and KUBERNETES_SERVICE_HOST=10.96.0.1"),
                Arguments.of(true, false, false, false, KubernetesMode.CLUSTER, "hami.kubernetes.mode=auto: in a pod:"
                        + " service-account token /var/run/secrets/kubernetes.io/serviceaccount/token"),
                Arguments.of(false, true, false, false, KubernetesMode.CLUSTER, "hami.kubernetes.mode=auto: in a pod:"
                        + " KUBERNETES_SERVICE_HOST=10.96.0.1"),
                Arguments.of(false, false, true, false, KubernetesMode.CLUSTER,
                        "hami.kubernetes.mode=auto: KUBECONFIG=/etc/kube/admin.conf"),
                Arguments.of(false, false, false, true, KubernetesMode.CLUSTER,
                        "hami.kubernetes.mode=auto: /home/op/.kube/config exists"),
                // The reported case: both set, in a pod; the kubeconfig wins, as fabric8 reads it first.
                Arguments.of(false, true, true, false, KubernetesMode.CLUSTER,
                        "hami.kubernetes.mode=auto: KUBECONFIG=/etc/kube/admin.conf"),
                Arguments.of(true, true, true, true, KubernetesMode.CLUSTER,
                        "hami.kubernetes.mode=auto: KUBECONFIG=/etc/kube/admin.conf"),
                Arguments.of(true, true, false, true, KubernetesMode.CLUSTER,
                        "hami.kubernetes.mode=auto: /home/op/.kube/config exists"));
    }

    @ParameterizedTest(name = "token={0} host={1} KUBECONFIG={2} ~/.kube/config={3} -> {4}")
    @MethodSource
    void auto(boolean token, boolean host, boolean kubeconfig, boolean homeConfig, KubernetesMode mode,
              String reason) {
        Surroundings s = surroundings(token, host, kubeconfig, homeConfig);
        assertThat(ModeSelection.decide(KubernetesMode.AUTO, s)).isEqualTo(new Decision(mode, reason));
    }

    @Test
    void embeddedIsRefusedWithAServiceAccountTokenOrInsideAPod() {
        assertThatThrownBy(() -> ModeSelection.decide(KubernetesMode.EMBEDDED, surroundings(true, false, false,
                false))).isInstanceOf(IllegalStateException.class).hasMessage("hami.kubernetes.mode=embedded inside"
                + " a pod (service-account token /var/run/secrets/kubernetes.io/serviceaccount/token): the embedded"
                + " API would schedule against simulated nodes; use cluster or auto");
        assertThatThrownBy(() -> ModeSelection.decide(KubernetesMode.EMBEDDED, surroundings(false, true, true,
                true))).hasMessageContaining("inside a pod (KUBERNETES_SERVICE_HOST=10.96.0.1)");
    }

    @Test
    void explicitModesOutsideAPod() {
        assertThat(ModeSelection.decide(KubernetesMode.EMBEDDED, surroundings(false, false, true, true)))
                .isEqualTo(new Decision(KubernetesMode.EMBEDDED, "hami.kubernetes.mode=embedded"));
        assertThat(ModeSelection.decide(KubernetesMode.CLUSTER, surroundings(false, false, false, false)))
                .isEqualTo(new Decision(KubernetesMode.CLUSTER, "hami.kubernetes.mode=cluster"));
    }

    @Test
    void aBlankVariableIsUnset() {
        Surroundings s = new Surroundings(Map.of("KUBECONFIG", " ", "KUBERNETES_SERVICE_HOST", "")::get,
                p -> false, HOME);
        assertThat(ModeSelection.decide(KubernetesMode.AUTO, s).mode()).isEqualTo(KubernetesMode.EMBEDDED);
    }

    private static Surroundings surroundings(boolean token, boolean host, boolean kubeconfig, boolean homeConfig) {
        Map<String, String> env = new HashMap<>();
        Set<Path> files = new HashSet<>();
        if (token) {
            files.add(ModeSelection.SERVICE_ACCOUNT_TOKEN);
        }
        if (host) {
            env.put("KUBERNETES_SERVICE_HOST", "10.96.0.1");
        }
        if (kubeconfig) {
            env.put("KUBECONFIG", "/etc/kube/admin.conf");
        }
        if (homeConfig) {
            files.add(HOME_CONFIG);
        }
        return new Surroundings(env::get, files::contains, HOME);
    }
}
