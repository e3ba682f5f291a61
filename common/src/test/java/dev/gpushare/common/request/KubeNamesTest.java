package dev.gpushare.common.request;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class KubeNamesTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "gpu-node-1", "pod.v1.example", "0abc"})
    void validObjectNamesPass(String name) {
        assertThat(KubeNames.objectNameProblem("PodName", name)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "../../../nodes/x", "a/b", "A", "-a", "a-", "a..b", "a b", "a%2Fb", "a\nb"})
    void invalidObjectNamesAreNamedWithTheField(String name) {
        assertThat(KubeNames.objectNameProblem("ExtenderBindingArgs.PodName", name)).hasValueSatisfying(problem ->
                assertThat(problem).startsWith("ExtenderBindingArgs.PodName: ")
                        .contains("is not a valid Kubernetes name (RFC 1123 subdomain"));
    }

    @Test
    void theMessageEscapesAndCutsTheName() {
        assertThat(KubeNames.objectNameProblem("Node", "x\n".repeat(200))).hasValue("Node: \""
                + "x\\n".repeat(21) + "x... (400 chars)\" is not a valid Kubernetes name (RFC 1123 subdomain:"
                + " lowercase letters, digits, '-' and '.', starting and ending alphanumeric, at most 253 characters)");
    }

    @Test
    void namesHaveTheirKubernetesLengthLimits() {
        assertThat(KubeNames.objectNameProblem("Node", "a".repeat(253))).isEmpty();
        assertThat(KubeNames.objectNameProblem("Node", "a".repeat(254))).isPresent();
        assertThat(KubeNames.namespaceProblem("PodNamespace", "a".repeat(63))).isEmpty();
        assertThat(KubeNames.namespaceProblem("PodNamespace", "a".repeat(64))).isPresent();
        assertThat(KubeNames.namespaceProblem("PodNamespace", "kube.system")).hasValue("PodNamespace: \"kube.system\""
                + " is not a valid Kubernetes namespace (RFC 1123 label: lowercase letters, digits and '-', starting"
                + " and ending alphanumeric, at most 63 characters)");
        assertThat(KubeNames.namespaceProblem("PodNamespace", null)).hasValueSatisfying(p ->
                assertThat(p).startsWith("PodNamespace: null is not"));
    }
}
