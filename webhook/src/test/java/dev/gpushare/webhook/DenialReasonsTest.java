package dev.gpushare.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpushare.webhook.AdmissionResult.Outcome;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Every denial of {@link AdmissionCasesTest} carries its reason (the metric label); other answers carry none. */
class DenialReasonsTest {

    private static final Map<String, DenialReason> EXPECTED = Map.ofEntries(
            Map.entry("v2.8: GPU init container refused with the way out", DenialReason.GPU_INIT_CONTAINER),
            Map.entry("v2.8: GPU native sidecar refused", DenialReason.GPU_INIT_CONTAINER),
            Map.entry("GPU pod with spec.nodeName", DenialReason.NODE_NAME_SET),
            Map.entry("privileged GPU container", DenialReason.PRIVILEGED_CONTAINER),
            Map.entry("gpucores above 100", DenialReason.INVALID_REQUEST),
            Map.entry("percentage 0", DenialReason.INVALID_REQUEST),
            Map.entry("percentage 101", DenialReason.INVALID_REQUEST),
            Map.entry("gpumem with a fraction", DenialReason.INVALID_REQUEST),
            Map.entry("gpumem with a binary suffix", DenialReason.INVALID_REQUEST),
            Map.entry("negative gpu count", DenialReason.INVALID_REQUEST),
            Map.entry("negative gpumem in the second container", DenialReason.INVALID_REQUEST),
            Map.entry("unknown node policy", DenialReason.INVALID_POLICY_ANNOTATION),
            Map.entry("unknown GPU policy", DenialReason.INVALID_POLICY_ANNOTATION),
            Map.entry("unknown entry in a GPU policy list", DenialReason.INVALID_POLICY_ANNOTATION),
            Map.entry("empty entry in a GPU policy list", DenialReason.INVALID_POLICY_ANNOTATION),
            Map.entry("scoring weights all zero", DenialReason.INVALID_POLICY_ANNOTATION),
            Map.entry("scoring weights without memory", DenialReason.INVALID_POLICY_ANNOTATION),
            Map.entry("pod without containers", DenialReason.NO_CONTAINERS),
            Map.entry("pod without spec", DenialReason.NO_CONTAINERS),
            Map.entry("memory beyond the namespace quota", DenialReason.QUOTA_EXCEEDED),
            Map.entry("defaulted cores beyond the namespace quota", DenialReason.QUOTA_EXCEEDED));

    @Test
    void eachDenialNamesItsReasonAndNothingElseHasOne() {
        Map<String, Optional<DenialReason>> found = AdmissionCasesTest.cases().collect(Collectors.toMap(
                AdmissionCasesTest.Case::name, c -> new AdmissionReviewHandler(new PodMutator(c.config(), c.quota()))
                        .handle(Reviews.review(c.pod())).denialReason()));

        Map<String, DenialReason> denied = AdmissionCasesTest.cases()
                .filter(c -> c.outcome() == Outcome.DENIED)
                .collect(Collectors.toMap(AdmissionCasesTest.Case::name, c -> found.get(c.name()).orElseThrow()));
        assertThat(denied).isEqualTo(EXPECTED);
        assertThat(AdmissionCasesTest.cases().filter(c -> c.outcome() != Outcome.DENIED))
                .allSatisfy(c -> assertThat(found.get(c.name())).as(c.name()).isEmpty());
        assertThat(DenialReason.QUOTA_EXCEEDED.tag()).isEqualTo("quota_exceeded");
    }
}
