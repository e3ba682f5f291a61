package dev.gpushare.webhook;

import static dev.gpushare.webhook.Reviews.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import dev.gpushare.webhook.AdmissionResult.Outcome;
import org.junit.jupiter.api.Test;
import dev.gpushare.testkit.KubeFixtures;

class AdmissionReviewHandlerTest {

    private static final String GPU_POD = json("{'apiVersion':'v1','kind':'Pod','metadata':{'generateName':'job-'},"
            + "'spec':{'schedulerName':'default-scheduler','containers':[{'name':'c','image':'i',"
            + "'resources':{'limits':{'nvidia.com/gpu':'1'}}}]}}");

    private final AdmissionReviewHandler handler =
            new AdmissionReviewHandler(new PodMutator(Reviews.defaultConfig(), QuotaLookup.UNLIMITED));

    @Test
    void capturedKube119RequestGetsTheExclusiveCoreDefault() throws IOException {
        AdmissionResult result = handler.handle(fixture("admission-1.json"));

        assertThat(result.httpStatus()).isEqualTo(200);
        assertThat(result.outcome()).isEqualTo(Outcome.PATCHED);
        assertThat(result.pod()).contains("whtest/wh-pod");
        String patch = "[{\"op\":\"add\",\"path\":\"/spec/containers/0/resources/limits/nvidia.com~1gpucores\","
                + "\"value\":\"100\"}]";
        assertThat(result.body()).isEqualTo("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
                + "\"response\":{\"uid\":\"7acb7873-32f4-4b52-bf88-c1517a08a1f4\",\"allowed\":true,"
                + "\"patchType\":\"JSONPatch\",\"patch\":\"" + base64(patch) + "\"}}");
    }

    @Test
    void v1beta1IsAnsweredInV1beta1() {
        AdmissionResult result = handler.handle(Reviews.review("admission.k8s.io/v1beta1", GPU_POD));

        String patch = "[{\"op\":\"add\",\"path\":\"/spec/containers/0/resources/limits/nvidia.com~1gpucores\","
                + "\"value\":\"100\"},{\"op\":\"replace\",\"path\":\"/spec/schedulerName\","
                + "\"value\":\"hami-scheduler\"}]";
        assertThat(result.body()).isEqualTo("{\"apiVersion\":\"admission.k8s.io/v1beta1\",\"kind\":\"AdmissionReview\","
                + "\"response\":{\"uid\":\"" + Reviews.UID + "\",\"allowed\":true,\"patchType\":\"JSONPatch\","
                + "\"patch\":\"" + base64(patch) + "\"}}");
        assertThat(result.pod()).contains("ns/job-*");
    }

    @Test
    void v1beta1DenialKeepsTheVersion() {
        AdmissionResult result = handler.handle(Reviews.review("admission.k8s.io/v1beta1",
                GPU_POD.replace("\"schedulerName\"", "\"nodeName\":\"n\",\"schedulerName\"")));

        assertThat(result.outcome()).isEqualTo(Outcome.DENIED);
        assertThat(result.body()).startsWith("{\"apiVersion\":\"admission.k8s.io/v1beta1\",\"kind\":\"AdmissionReview\","
                + "\"response\":{\"uid\":\"" + Reviews.UID + "\",\"allowed\":false,\"status\":{\"status\":\"Failure\","
                + "\"code\":403,\"reason\":\"Forbidden\",\"message\":\"pod has node assigned (spec.nodeName: n)");
    }

    @Test
    void failingQuotaLookupAdmitsThePodUnchangedWithAWarning() {
        IllegalStateException failure = new IllegalStateException("ledger not ready");
        AdmissionReviewHandler failing = new AdmissionReviewHandler(new PodMutator(Reviews.defaultConfig(),
                namespace -> {
                    throw failure;
                }));

        AdmissionResult result = failing.handle(Reviews.review(GPU_POD));

        assertThat(result.httpStatus()).isEqualTo(200);
        assertThat(result.outcome()).isEqualTo(Outcome.INTERNAL_ERROR);
        assertThat(result.internalError()).containsSame(failure);
        assertThat(result.body()).isEqualTo("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
                + "\"response\":{\"uid\":\"" + Reviews.UID + "\",\"allowed\":true,\"warnings\":[\""
                + AdmissionReviewHandler.INTERNAL_ERROR_WARNING + "\"]}}");
        assertThat(AdmissionReviewHandler.INTERNAL_ERROR_WARNING.length()).isLessThanOrEqualTo(120);
        assertThat(result.logLine()).isEqualTo("admission outcome=internal_error uid=" + Reviews.UID
                + " pod=ns/job-* message=\"ledger not ready\" error=java.lang.IllegalStateException");
    }

    /**
     * A follower (or a leader still syncing) cannot check the quota: the pod gets its usual patch and the user a
     * warning naming the namespace, instead of a silent pass.
     */
    @Test
    void aQuotaTheLookupCannotCheckAdmitsThePodWithItsPatchAndAWarning() {
        AdmissionReviewHandler unsynced = new AdmissionReviewHandler(new PodMutator(Reviews.defaultConfig(),
                namespace -> new QuotaHeadroom.Unknown("this scheduler replica is a follower or not yet synced")));
        String sharePod = GPU_POD.replace("\"nvidia.com/gpu\":\"1\"",
                "\"nvidia.com/gpu\":\"1\",\"nvidia.com/gpumem\":\"3000\"");

        AdmissionResult result = unsynced.handle(Reviews.review(sharePod));

        String patch = "[{\"op\":\"replace\",\"path\":\"/spec/schedulerName\",\"value\":\"hami-scheduler\"}]";
        String warning = "GPU quota of namespace ns not checked at admission (this scheduler replica is a follower or"
                + " not yet synced): the scheduler checks it before placing the pod";
        assertThat(result.outcome()).isEqualTo(Outcome.PATCHED);
        assertThat(result.body()).isEqualTo("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
                + "\"response\":{\"uid\":\"" + Reviews.UID + "\",\"allowed\":true,\"warnings\":[\"" + warning + "\"],"
                + "\"patchType\":\"JSONPatch\",\"patch\":\"" + base64(patch) + "\"}}");
    }

    @Test
    void aPodOfOurSchedulerWithNothingToPatchStillGetsTheWarning() {
        AdmissionReviewHandler unsynced = new AdmissionReviewHandler(new PodMutator(Reviews.defaultConfig(),
                namespace -> new QuotaHeadroom.Unknown("not synced")));
        String ours = GPU_POD.replace("default-scheduler", "hami-scheduler").replace("\"nvidia.com/gpu\":\"1\"",
                "\"nvidia.com/gpu\":\"1\",\"nvidia.com/gpumem\":\"3000\"");

        AdmissionResult result = unsynced.handle(Reviews.review(ours));

        assertThat(result.outcome()).isEqualTo(Outcome.UNCHANGED);
        assertThat(result.body()).isEqualTo("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
                + "\"response\":{\"uid\":\"" + Reviews.UID + "\",\"allowed\":true,\"warnings\":[\"GPU quota of "
                + "namespace ns not checked at admission (not synced): the scheduler checks it before placing the "
                + "pod\"]}}");
    }

    @Test
    void missingObjectIsA400Denial() {
        String body = json("{'apiVersion':'admission.k8s.io/v1','kind':'AdmissionReview','request':{'uid':'u1',"
                + "'operation':'CREATE'}}");

        AdmissionResult result = handler.handle(body.getBytes(StandardCharsets.UTF_8));

        assertThat(result.httpStatus()).isEqualTo(200);
        assertThat(result.outcome()).isEqualTo(Outcome.MALFORMED);
        assertThat(result.body()).isEqualTo(json("{'apiVersion':'admission.k8s.io/v1','kind':'AdmissionReview',"
                + "'response':{'uid':'u1','allowed':false,'status':{'status':'Failure','code':400,"
                + "'reason':'BadRequest','message':'request.object is missing'}}}"));
    }

    @Test
    void objectThatIsNotAPodIsA400Denial() {
        String service = json("{'apiVersion':'v1','kind':'Service','metadata':{'name':'s'}}");
        byte[] body = json("{'apiVersion':'admission.k8s.io/v1','kind':'AdmissionReview','request':{'uid':'u2',"
                + "'object':" + service + "}}").getBytes(StandardCharsets.UTF_8);

        AdmissionResult result = handler.handle(body);

        assertThat(result.outcome()).isEqualTo(Outcome.MALFORMED);
        assertThat(Reviews.response(result).get("status").get("message").asString())
                .isEqualTo("request.object is not a Pod (kind \"Service\")");
    }

    @Test
    void podThatDoesNotDecodeIsA400Denial() {
        AdmissionResult result = handler.handle(Reviews.review(
                json("{'kind':'Pod','spec':{'containers':'not a list'}}")));

        assertThat(result.outcome()).isEqualTo(Outcome.MALFORMED);
        assertThat(Reviews.response(result).get("status").get("code").asInt()).isEqualTo(400);
        assertThat(Reviews.response(result).get("status").get("message").asString())
                .startsWith("request.object is not a valid Pod: ");
    }

    @Test
    void requestsWithoutAReadableUidAreHttp400() {
        assertUnreadable("", "request body is empty");
        assertUnreadable("{not json", "request body is not JSON: ");
        assertUnreadable("[]", "request body is not a JSON object");
        assertUnreadable(json("{'apiVersion':'admission.k8s.io/v2','kind':'AdmissionReview','request':{'uid':'u'}}"),
                "apiVersion must be one of [admission.k8s.io/v1, admission.k8s.io/v1beta1], got "
                        + "\"admission.k8s.io/v2\"");
        assertUnreadable("{}", "apiVersion must be one of [admission.k8s.io/v1, admission.k8s.io/v1beta1], got none");
        assertUnreadable("{\"apiVersion\":null}",
                "apiVersion must be one of [admission.k8s.io/v1, admission.k8s.io/v1beta1], got none");
        assertUnreadable(json("{'apiVersion':'admission.k8s.io/v1','kind':'Pod'}"),
                "kind must be AdmissionReview, got \"Pod\"");
        assertUnreadable(json("{'apiVersion':'admission.k8s.io/v1','kind':'AdmissionReview'}"),
                "AdmissionReview has no request");
        assertUnreadable(json("{'apiVersion':'admission.k8s.io/v1','kind':'AdmissionReview','request':{}}"),
                "AdmissionReview request has no uid");
    }

    @Test
    void otherOperationsAreNotMutated() {
        String body = new String(Reviews.review(GPU_POD), StandardCharsets.UTF_8).replace("\"CREATE\"", "\"UPDATE\"");

        AdmissionResult result = handler.handle(body.getBytes(StandardCharsets.UTF_8));

        assertThat(result.outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(Reviews.patch(result)).isNull();
        assertThat(result.message()).contains("operation UPDATE is not mutated");
    }

    private void assertUnreadable(String body, String messageStart) {
        AdmissionResult result = handler.handle(body);

        assertThat(result.httpStatus()).isEqualTo(400);
        assertThat(result.outcome()).isEqualTo(Outcome.UNREADABLE);
        assertThat(result.uid()).isEmpty();
        assertThat(result.message()).hasValueSatisfying(message -> assertThat(message).startsWith(messageStart));
        assertThat(Reviews.MAPPER.readTree(result.body()).get("code").asInt()).isEqualTo(400);
        assertThat(Reviews.MAPPER.readTree(result.body()).get("kind").asString()).isEqualTo("Status");
    }

    private static byte[] fixture(String name) {
        return KubeFixtures.bytes(name);
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
