package dev.gpushare.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpushare.webhook.AdmissionResult.Outcome;
import java.io.IOException;
import java.io.InputStream;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Pod UPDATEs as the API server sends them (whole AdmissionReviews, {@code oldObject} and {@code userInfo} included)
 * and the exact answers: only the scheduler's and the device plugin's accounts may change scheduler-owned keys.
 */
class UpdateReviewTest {

    private final AdmissionReviewHandler handler = new AdmissionReviewHandler(
            new PodMutator(Reviews.defaultConfig(), QuotaLookup.UNLIMITED),
            Set.of("system:serviceaccount:kube-system:hami-scheduler",
                    "system:serviceaccount:kube-system:hami-device-plugin"));

    private static byte[] review(String name) throws IOException {
        try (InputStream in = UpdateReviewTest.class.getResourceAsStream("/reviews/" + name)) {
            return in.readAllBytes();
        }
    }

    @Test
    void aUserWideningTheAllocationOfHerRunningPodIsRefused() throws IOException {
        AdmissionResult result = handler.handle(review("update-by-user.json"));

        assertThat(result.outcome()).isEqualTo(Outcome.DENIED);
        assertThat(result.body()).isEqualTo("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
                + "\"response\":{\"uid\":\"5f2b3c4d-1e2f-4a5b-9c6d-7e8f9a0b1c2d\",\"allowed\":false,\"status\":"
                + "{\"status\":\"Failure\",\"code\":403,\"reason\":\"Forbidden\",\"message\":\"metadata annotation"
                + " hami.io/vgpu-devices-allocated is written by the scheduler only (a placement and its hand-over to"
                + " the device plugin): user \\\"alice\\\" may not change them\"}}}");
    }

    @Test
    void theDevicePluginHandingOverThePodIsAllowedUnchanged() throws IOException {
        AdmissionResult result = handler.handle(review("update-by-device-plugin.json"));

        assertThat(result.outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(result.body()).isEqualTo("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
                + "\"response\":{\"uid\":\"6a7b8c9d-2e3f-4a5b-8c6d-7e8f9a0b1c2e\",\"allowed\":true,\"status\":"
                + "{\"code\":200,\"message\":\"operation UPDATE is not mutated\"}}}");
    }

    @Test
    void theSameChangeByAUserIsRefusedAndRemovingTheSealToo() throws IOException {
        String byPlugin = new String(review("update-by-device-plugin.json"), java.nio.charset.StandardCharsets.UTF_8);
        String byUser = byPlugin.replace("system:serviceaccount:kube-system:hami-device-plugin", "alice");
        // The user's own pod, allocation left alone, the seal dropped (the ledger would no longer count it).
        String unsealed = new String(review("update-by-user.json"), java.nio.charset.StandardCharsets.UTF_8)
                .replace("GPU-0a1b,NVIDIA,40960,100:;", "GPU-0a1b,NVIDIA,4000,30:;")
                .replaceFirst("\"gpushare.dev/placement-seal\": \"[^\"]*\"", "\"team\": \"a\"");

        assertThat(handler.handle(byUser).message()).hasValue("metadata annotation hami.io/bind-phase, annotation"
                + " hami.io/vgpu-devices-to-allocate are written by the scheduler only (a placement and its hand-over"
                + " to the device plugin): user \"alice\" may not change them");
        assertThat(handler.handle(unsealed).message()).hasValue("metadata annotation gpushare.dev/placement-seal is"
                + " written by the scheduler only (a placement and its hand-over to the device plugin): user"
                + " \"alice\" may not change them");
    }
}
