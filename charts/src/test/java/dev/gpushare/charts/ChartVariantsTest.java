package dev.gpushare.charts;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecurityContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every variant the issue names: it lints clean with {@code --strict}, every document parses, our containers
 * cannot run as root, every image honours {@code global.imageRegistry}, and kube-scheduler calls the extender
 * where our container listens.
 */
class ChartVariantsTest {

    static final String OFFLINE_REGISTRY = "registry.internal.example:5000";

    /** name, values files, kube version (the cluster's; the kube-scheduler tag follows it unless pinned). */
    static Stream<Arguments> variants() {
        Path offline = Chart.SOURCE.resolve("values-offline.yaml");
        List<Arguments> variants = new ArrayList<>(List.of(
                Arguments.of("defaults", List.of(), "1.28.3"),
                Arguments.of("ha", List.of(Chart.variantFile("ha")), "1.28.3"),
                Arguments.of("ha-leader-readiness", List.of(Chart.variantFile("ha-leader-readiness")), "1.28.3"),
                Arguments.of("cert-manager", List.of(Chart.variantFile("cert-manager")), "1.28.3"),
                Arguments.of("custom-url", List.of(Chart.variantFile("custom-url")), "1.28.3"),
                Arguments.of("webhook-disabled", List.of(Chart.variantFile("webhook-disabled")), "1.28.3"),
                Arguments.of("device-plugin-disabled", List.of(Chart.variantFile("device-plugin-disabled")),
                        "1.28.3"),
                Arguments.of("on-delete", List.of(Chart.variantFile("on-delete")), "1.28.3"),
                Arguments.of("everything", List.of(Chart.variantFile("everything")), "1.28.3"),
                Arguments.of("offline", List.of(offline), "1.28.3")));
        for (String kube : List.of("1.19.16", "1.22.17", "1.24.17", "1.28.3", "1.31.2")) {
            variants.add(Arguments.of("kube-" + kube, List.of(), kube));
        }
        return variants.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void lintsCleanWithStrict(String name, List<Path> values, String kube) {
        LintResult lint = Chart.lintStrict(values);

        assertThat(lint.isFailed()).as("lint --strict of %s: %s", name, lint.getMessages()).isFalse();
        assertThat(lint.getMessages()).as(name).noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
        // helm lint reports a template's fail() only as [INFO] and passes: the values must also render for the
        // Kubernetes version lint assumes, or the lint above checked nothing.
        Chart.Options lintDefaults = Chart.Options.defaults().kube(Chart.LINT_KUBE_VERSION);
        for (Path file : values) {
            lintDefaults = lintDefaults.values(file);
        }
        assertThat(Chart.render(lintDefaults).objects()).as(name).isNotEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void rendersObjectsThatHoldTheInvariants(String name, List<Path> values, String kube) {
        Chart.Options options = Chart.Options.defaults().kube(kube);
        for (Path file : values) {
            options = options.values(file);
        }
        Rendered rendered = Chart.render(options);

        assertThat(rendered.objects()).as(name).isNotEmpty();
        assertOurPodsCannotRunAsRoot(rendered);
        assertExtenderUrlMatchesOurListener(rendered);
        if (name.equals("offline")) {
            assertThat(rendered.containers()).allSatisfy((where, container) -> assertThat(container.getImage())
                    .as(where).startsWith(OFFLINE_REGISTRY + "/"));
            assertThat(rendered.podSpecs()).allSatisfy((where, spec) -> assertThat(spec.getImagePullSecrets())
                    .as(where).extracting("name").contains("internal-registry"));
        }
    }

    /** Our scheduler, the kube-scheduler sidecar and the certificate jobs; HAMi's node components are privileged. */
    static void assertOurPodsCannotRunAsRoot(Rendered rendered) {
        for (Map.Entry<String, PodSpec> pod : rendered.podSpecs().entrySet()) {
            if (pod.getKey().startsWith("DaemonSet/")) {
                assertThat(pod.getValue().getContainers()).as(pod.getKey())
                        .allSatisfy(c -> assertThat(c.getImage()).matches(".*projecthami/(hami|mock-device-plugin):.*"));
                continue;
            }
            PodSecurityContext podContext = pod.getValue().getSecurityContext();
            assertThat(podContext.getRunAsNonRoot()).as(pod.getKey()).isTrue();
            assertThat(podContext.getRunAsUser()).as(pod.getKey()).isPositive();
            assertThat(podContext.getSeccompProfile().getType()).as(pod.getKey()).isEqualTo("RuntimeDefault");
            for (Container container : pod.getValue().getContainers()) {
                String where = pod.getKey() + "/" + container.getName();
                SecurityContext context = container.getSecurityContext();
                assertThat(context.getRunAsNonRoot()).as(where).isTrue();
                assertThat(context.getRunAsUser()).as(where).isNull();
                assertThat(context.getPrivileged()).as(where).isFalse();
                assertThat(context.getAllowPrivilegeEscalation()).as(where).isFalse();
                assertThat(context.getReadOnlyRootFilesystem()).as(where).isTrue();
                assertThat(context.getCapabilities().getDrop()).as(where).containsExactly("ALL");
                assertThat(context.getCapabilities().getAdd()).as(where).isNullOrEmpty();
                assertThat(container.getResources().getRequests()).as(where).containsKeys("cpu", "memory");
                assertThat(container.getResources().getLimits()).as(where).containsKey("memory");
            }
        }
    }

    static void assertExtenderUrlMatchesOurListener(Rendered rendered) {
        Map<String, String> env = rendered.extenderEnv();
        SchedulerConfig config = SchedulerConfig.of(rendered);

        assertThat(config.extender().path("urlPrefix").asString())
                .isEqualTo("http://" + env.get("HAMI_EXTENDER_ADDRESS") + ":" + env.get("HAMI_EXTENDER_PORT"));
        assertThat(env.get("HAMI_EXTENDER_ADDRESS")).isEqualTo("127.0.0.1");
        assertThat(rendered.extender().getPorts()).extracting("containerPort")
                .doesNotContain(Integer.valueOf(env.get("HAMI_EXTENDER_PORT")));
    }
}
