package dev.gpushare.common.request;

import java.util.SplittableRandom;
import java.util.regex.Pattern;
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

    /** The hand-written scanner against the API server's own expressions, on seeded random names. */
    @Test
    void theScannerAgreesWithKubernetesExpressions() {
        Pattern label = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
        Pattern subdomain = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
        String alphabet = "ab09-.-.A_/ \u00e9";
        SplittableRandom random = new SplittableRandom(20261202);
        int valid = 0;
        for (int i = 0; i < 200_000; i++) {
            StringBuilder name = new StringBuilder();
            for (int n = random.nextInt(8); n > 0; n--) {
                name.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String value = name.toString();
            boolean isSubdomain = subdomain.matcher(value).matches();
            valid += isSubdomain ? 1 : 0;
            assertThat(KubeNames.objectNameProblem("Node", value).isEmpty()).as(value).isEqualTo(isSubdomain);
            assertThat(KubeNames.namespaceProblem("Namespace", value).isEmpty()).as(value)
                    .isEqualTo(label.matcher(value).matches());
        }
        assertThat(valid).as("the sample has valid names too").isGreaterThan(10_000);
    }
}
