package dev.gpushare.webhook;

import static dev.gpushare.webhook.Reviews.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;

import dev.gpushare.webhook.AdmissionResult.Outcome;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Requests built to mislead or exhaust the webhook: every one gets a bounded, exact answer. */
class HostileAdmissionTest {

    private static final String SCHEDULER = "system:serviceaccount:hami:hami-scheduler";

    private final AdmissionReviewHandler handler = new AdmissionReviewHandler(
            new PodMutator(Reviews.defaultConfig(), QuotaLookup.UNLIMITED), Set.of(SCHEDULER));

    private static String pod(String metadata, String containers) {
        return json("{'apiVersion':'v1','kind':'Pod','metadata':" + metadata + ",'spec':{'containers':" + containers
                + "}}");
    }

    private static final String GPU_CONTAINERS =
            json("[{'name':'c','image':'i','resources':{'limits':{'nvidia.com/gpu':'1'}}}]");

    @Test
    void aNullContainerEntryIsA400NamingTheField() {
        AdmissionResult result = handler.handle(Reviews.review(pod(json("{'name':'p'}"), "[null]")));

        assertThat(result.outcome()).isEqualTo(Outcome.MALFORMED);
        assertThat(result.internalError()).isEmpty();
        assertThat(Reviews.response(result).get("status").toString()).isEqualTo(json("{'status':'Failure','code':400,"
                + "'reason':'BadRequest','message':'request.object.spec.containers[0] is null, not a container'}"));
    }

    @Test
    void aNullInitContainerEntryIsA400NamingTheField() {
        String body = json("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p'},'spec':{'initContainers':"
                + "[{'name':'i','image':'i'},null],'containers':[{'name':'c','image':'i'}]}}");

        AdmissionResult result = handler.handle(Reviews.review(body));

        assertThat(result.outcome()).isEqualTo(Outcome.MALFORMED);
        assertThat(result.message()).contains("request.object.spec.initContainers[1] is null, not a container");
    }

    @Test
    void schedulerOwnedAnnotationsAreRefusedOnCreateWhateverTheScheduler() {
        String forged = pod(json("{'name':'forged','annotations':{'hami.io/vgpu-node':'gpu-1',"
                + "'hami.io/vgpu-devices-allocated':'GPU-0,NVIDIA,81920,100:;','hami.io/bind-phase':'success'},"
                + "'labels':{'hami.io/vgpu-node':'gpu-1'}}"), json("[{'name':'c','image':'i'}]"));

        AdmissionResult result = handler.handle(Reviews.review(forged));

        assertThat(result.outcome()).isEqualTo(Outcome.DENIED);
        assertThat(Reviews.response(result).get("status").get("message").asString()).isEqualTo("metadata annotation"
                + " hami.io/bind-phase, annotation hami.io/vgpu-devices-allocated, annotation hami.io/vgpu-node, label"
                + " hami.io/vgpu-node are written by the scheduler only (a placement and its hand-over to the device"
                + " plugin): a pod cannot be created with them");
    }

    @Test
    void theNodeLockKeyIsSchedulerOwnedToo() {
        AdmissionResult result = handler.handle(Reviews.review(pod(json("{'name':'p','annotations':"
                + "{'hami.io/mutex.lock':'x'}}"), GPU_CONTAINERS)));

        assertThat(result.outcome()).isEqualTo(Outcome.DENIED);
        assertThat(result.message()).hasValueSatisfying(m -> assertThat(m).startsWith(
                "metadata annotation hami.io/mutex.lock is written by the scheduler only"));
    }

    @Test
    void userAnnotationsOfHamiStayAllowed() {
        AdmissionResult result = handler.handle(Reviews.review(pod(json("{'name':'p','annotations':"
                + "{'hami.io/gpu-scheduler-policy':'binpack','nvidia.com/use-gputype':'A100'}}"), GPU_CONTAINERS)));

        assertThat(result.outcome()).isEqualTo(Outcome.PATCHED);
    }

    private static byte[] update(String username, String oldAnnotations, String newAnnotations) {
        ObjectNode review = (ObjectNode) Reviews.MAPPER.readTree(Reviews.review(pod(
                json("{'name':'p','annotations':" + newAnnotations + "}"), GPU_CONTAINERS)));
        ObjectNode request = (ObjectNode) review.get("request");
        request.put("operation", "UPDATE");
        request.putObject("userInfo").put("username", username);
        request.set("oldObject", Reviews.MAPPER.readTree(pod(json("{'name':'p','annotations':" + oldAnnotations
                + "}"), GPU_CONTAINERS)));
        return Reviews.MAPPER.writeValueAsBytes(review);
    }

    @Test
    void anUpdateOfSchedulerOwnedAnnotationsByAnotherUserIsRefused() {
        AdmissionResult result = handler.handle(update("alice", json("{'hami.io/bind-phase':'allocating'}"),
                json("{'hami.io/bind-phase':'success','hami.io/vgpu-node':'n1'}")));

        assertThat(result.outcome()).isEqualTo(Outcome.DENIED);
        assertThat(result.message()).hasValue("metadata annotation hami.io/bind-phase, annotation hami.io/vgpu-node"
                + " are written by the scheduler only (a placement and its hand-over to the device plugin): user"
                + " \"alice\" may not change them");
    }

    @Test
    void anUpdateByAWriterOrLeavingTheKeysAloneIsAllowedUnchanged() {
        AdmissionResult byScheduler = handler.handle(update(SCHEDULER, json("{}"),
                json("{'hami.io/vgpu-node':'n1'}")));
        AdmissionResult unchanged = handler.handle(update("alice", json("{'hami.io/vgpu-node':'n1'}"),
                json("{'hami.io/vgpu-node':'n1','team':'a'}")));

        assertThat(byScheduler.outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(unchanged.outcome()).isEqualTo(Outcome.SKIPPED);
    }

    @Test
    void withoutConfiguredWritersUpdatesAreNotChecked() {
        AdmissionReviewHandler unconfigured = new AdmissionReviewHandler(
                new PodMutator(Reviews.defaultConfig(), QuotaLookup.UNLIMITED));

        assertThat(unconfigured.handle(update("alice", json("{}"), json("{'hami.io/vgpu-node':'n1'}"))).outcome())
                .isEqualTo(Outcome.SKIPPED);
    }

    @Test
    void aNewlineInTheUidCannotStartALogLine() {
        ObjectNode review = (ObjectNode) Reviews.MAPPER.readTree(Reviews.review(pod(json("{'name':'p'}"),
                GPU_CONTAINERS)));
        ((ObjectNode) review.get("request")).put("uid", "u1\n2026-12-01T00:00:00Z ERROR forged");

        AdmissionResult result = handler.handle(Reviews.MAPPER.writeValueAsBytes(review));

        assertThat(result.logLine()).doesNotContain("\n").startsWith(
                "admission outcome=patched uid=u1\\n2026-12-01T00:00:00Z ERROR forged pod=ns/p");
        assertThat(Reviews.response(result).get("uid").asString()).isEqualTo("u1\n2026-12-01T00:00:00Z ERROR forged");
    }

    @Test
    void anOverlongUidIsNotEchoed() {
        ObjectNode review = (ObjectNode) Reviews.MAPPER.readTree(Reviews.review(pod(json("{'name':'p'}"),
                GPU_CONTAINERS)));
        ((ObjectNode) review.get("request")).put("uid", "u".repeat(10_000));

        AdmissionResult result = handler.handle(Reviews.MAPPER.writeValueAsBytes(review));

        assertThat(result.httpStatus()).isEqualTo(400);
        assertThat(result.body().length()).isLessThan(400);
    }

    @Test
    void aHugeAnnotationValueComesBackAsAnExcerpt() {
        String value = "x".repeat(189_000);
        AdmissionResult result = handler.handle(Reviews.review(pod(json("{'name':'p','annotations':"
                + "{'hami.io/node-scheduler-policy':'" + value + "'}}"), GPU_CONTAINERS)));

        assertThat(result.outcome()).isEqualTo(Outcome.DENIED);
        assertThat(result.message()).hasValue("annotation hami.io/node-scheduler-policy: \"" + "x".repeat(64)
                + "... (189000 chars)\" is not one of binpack, spread");
        assertThat(result.body().length()).isLessThan(600);
    }

    @Test
    void aMillionDigitQuantityIsRefusedBeforeParsingWithAnExcerpt() {
        String digits = "9".repeat(1_000_000);
        AdmissionResult result = handler.handle(Reviews.review(pod(json("{'name':'p'}"), json(
                "[{'name':'c','image':'i','resources':{'limits':{'nvidia.com/gpu':'1','nvidia.com/gpumem':'"
                        + digits + "'}}}]"))));

        assertThat(result.outcome()).isEqualTo(Outcome.DENIED);
        assertThat(result.body().length()).isLessThan(600);
        JsonNode status = Reviews.response(result).get("status");
        assertThat(status.get("message").asString()).isEqualTo("container c: nvidia.com/gpumem: \""
                + "9".repeat(64) + "... (1000000 chars)\" is not a quantity we read (longer than 40 characters)");
    }

    @Test
    void aHostileContainerNameIsEscapedInTheDenial() {
        AdmissionResult result = handler.handle(Reviews.review(pod(json("{'name':'p'}"), json(
                "[{'name':'c\\nERROR forged','image':'i','resources':{'limits':{'nvidia.com/gpu':'-1'}}}]"))));

        assertThat(result.message()).hasValue("container c\\nERROR forged: nvidia.com/gpu: -1 is negative");
        assertThat(result.logLine()).doesNotContain("\n");
    }
}
