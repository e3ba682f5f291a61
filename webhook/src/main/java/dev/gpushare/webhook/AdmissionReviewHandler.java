package dev.gpushare.webhook;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Answers the API server's {@code /webhook} calls: an {@code admission.k8s.io/v1} or {@code v1beta1}
 * AdmissionReview in, the same version out (kind {@code AdmissionReview}, {@code response.uid} echoed).
 *
 * <ul>
 *   <li>Pod decisions come from {@link PodMutator}: a JSON Patch ({@code patchType: JSONPatch}, base64) only when
 *       there are operations; denials answer {@code allowed: false} with code 403, reason {@code Forbidden}.</li>
 *   <li>A missing or non-pod {@code request.object}: {@code allowed: false}, code 400, reason {@code BadRequest}.</li>
 *   <li>No readable uid (not JSON, not an AdmissionReview of a known version, no {@code request}): HTTP 400 with a
 *       Status body; the API server then applies the webhook's failurePolicy.</li>
 *   <li>Any unexpected exception: the pod is allowed unchanged with a {@code warnings} entry, never an HTTP 500
 *       and never a blocked pod creation; the exception is returned for the caller to log and count.</li>
 * </ul>
 * Thread-safe; one instance serves all requests.
 */
public final class AdmissionReviewHandler {

    static final List<String> API_VERSIONS = List.of("admission.k8s.io/v1", "admission.k8s.io/v1beta1");
    static final String INTERNAL_ERROR_WARNING =
            "GPU admission webhook failed internally: pod admitted unchanged (no GPU-sharing defaults)";

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final PodMutator mutator;

    public AdmissionReviewHandler(PodMutator mutator) {
        this.mutator = Objects.requireNonNull(mutator, "mutator");
    }

    public AdmissionResult handle(String body) {
        return handle(body == null ? null : body.getBytes(StandardCharsets.UTF_8));
    }

    public AdmissionResult handle(byte[] body) {
        if (body == null || body.length == 0) {
            return unreadable("request body is empty");
        }
        JsonNode review;
        try {
            review = MAPPER.readTree(body);
        } catch (JacksonException e) {
            return unreadable("request body is not JSON: " + e.getOriginalMessage());
        }
        if (review == null || !review.isObject()) {
            return unreadable("request body is not a JSON object");
        }
        String apiVersion = text(review, "apiVersion");
        if (apiVersion == null || !API_VERSIONS.contains(apiVersion)) {
            return unreadable("apiVersion must be one of " + API_VERSIONS + ", got " + quoted(apiVersion));
        }
        if (!"AdmissionReview".equals(text(review, "kind"))) {
            return unreadable("kind must be AdmissionReview, got " + quoted(text(review, "kind")));
        }
        JsonNode request = review.get("request");
        if (request == null || !request.isObject()) {
            return unreadable("AdmissionReview has no request");
        }
        String uid = text(request, "uid");
        if (uid == null || uid.isEmpty()) {
            return unreadable("AdmissionReview request has no uid");
        }
        Answer answer = new Answer(apiVersion, uid);
        try {
            return review(answer, request);
        } catch (RuntimeException e) {
            return answer.internalError(e);
        }
    }

    private AdmissionResult review(Answer answer, JsonNode request) {
        JsonNode object = request.get("object");
        if (object == null || object.isNull()) {
            return answer.malformed("request.object is missing");
        }
        JsonNode kind = request.get("kind");
        String requestKind = kind == null ? null : text(kind, "kind");
        String objectKind = object.isObject() ? text(object, "kind") : null;
        if (!object.isObject() || (requestKind != null && !"Pod".equals(requestKind))
                || (objectKind != null && !"Pod".equals(objectKind))) {
            return answer.malformed("request.object is not a Pod (kind " + quoted(
                    requestKind != null ? requestKind : objectKind) + ")");
        }
        Pod pod;
        try {
            pod = MAPPER.treeToValue(object, Pod.class);
        } catch (JacksonException e) {
            return answer.malformed("request.object is not a valid Pod: " + e.getOriginalMessage());
        }
        String namespace = text(request, "namespace");
        if (namespace == null && pod.getMetadata() != null) {
            namespace = pod.getMetadata().getNamespace();
        }
        answer.pod = describe(namespace, pod.getMetadata());

        String operation = text(request, "operation");
        if (operation != null && !"CREATE".equals(operation)) {
            return answer.skipped("operation " + operation + " is not mutated");
        }
        PodMutation mutation = mutator.mutate(pod, namespace);
        if (mutation instanceof PodMutation.Skip skip) {
            return answer.skipped(skip.reason());
        }
        if (mutation instanceof PodMutation.Deny deny) {
            return answer.denied(deny.reason(), deny.message());
        }
        return answer.patched(((PodMutation.Patch) mutation).operations());
    }

    private static AdmissionResult unreadable(String message) {
        ObjectNode status = JSON.objectNode();
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        status.put("status", "Failure");
        status.put("message", message);
        status.put("reason", "BadRequest");
        status.put("code", 400);
        return new AdmissionResult(400, status.toString(), AdmissionResult.Outcome.UNREADABLE, Optional.empty(),
                Optional.empty(), Optional.of(message), Optional.empty(), Optional.empty());
    }

    private static String describe(String namespace, ObjectMeta metadata) {
        String ns = namespace == null ? "" : namespace;
        if (metadata == null) {
            return ns + "/";
        }
        if (metadata.getName() != null && !metadata.getName().isEmpty()) {
            return ns + "/" + metadata.getName();
        }
        return ns + "/" + (metadata.getGenerateName() == null ? "" : metadata.getGenerateName() + "*");
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isString() ? value.asString() : null;
    }

    private static String quoted(String value) {
        return value == null ? "none" : "'" + value + "'";
    }

    /** Builds the AdmissionReview answers for one request. */
    private static final class Answer {

        private final String apiVersion;
        private final String uid;
        private String pod;

        Answer(String apiVersion, String uid) {
            this.apiVersion = apiVersion;
            this.uid = uid;
        }

        AdmissionResult patched(List<JsonPatchOperation> operations) {
            ObjectNode response = response(true);
            if (operations.isEmpty()) {
                return result(response, AdmissionResult.Outcome.UNCHANGED, null, null, null);
            }
            ArrayNode patch = JSON.arrayNode();
            for (JsonPatchOperation operation : operations) {
                ObjectNode node = patch.addObject();
                node.put("op", operation.op());
                node.put("path", operation.path());
                node.set("value", operation.value());
            }
            response.put("patchType", "JSONPatch");
            response.put("patch", Base64.getEncoder().encodeToString(MAPPER.writeValueAsBytes(patch)));
            return result(response, AdmissionResult.Outcome.PATCHED, null, null, null);
        }

        AdmissionResult skipped(String reason) {
            ObjectNode response = response(true);
            ObjectNode status = response.putObject("status");
            status.put("code", 200);
            status.put("message", reason);
            return result(response, AdmissionResult.Outcome.SKIPPED, reason, null, null);
        }

        AdmissionResult malformed(String message) {
            return refused(400, "BadRequest", message, AdmissionResult.Outcome.MALFORMED, null);
        }

        AdmissionResult denied(DenialReason reason, String message) {
            return refused(403, "Forbidden", message, AdmissionResult.Outcome.DENIED, reason);
        }

        private AdmissionResult refused(int code, String statusReason, String message,
                                        AdmissionResult.Outcome outcome, DenialReason denialReason) {
            ObjectNode response = response(false);
            ObjectNode status = response.putObject("status");
            status.put("status", "Failure");
            status.put("code", code);
            status.put("reason", statusReason);
            status.put("message", message);
            return result(response, outcome, message, null, denialReason);
        }

        AdmissionResult internalError(RuntimeException error) {
            ObjectNode response = response(true);
            response.putArray("warnings").add(INTERNAL_ERROR_WARNING);
            return result(response, AdmissionResult.Outcome.INTERNAL_ERROR, String.valueOf(error.getMessage()),
                    error, null);
        }

        private ObjectNode response(boolean allowed) {
            ObjectNode response = JSON.objectNode();
            response.put("uid", uid);
            response.put("allowed", allowed);
            return response;
        }

        private AdmissionResult result(ObjectNode response, AdmissionResult.Outcome outcome, String message,
                                       RuntimeException error, DenialReason denialReason) {
            ObjectNode review = JSON.objectNode();
            review.put("apiVersion", apiVersion);
            review.put("kind", "AdmissionReview");
            review.set("response", response);
            return new AdmissionResult(200, MAPPER.writeValueAsString(review), outcome, Optional.of(uid),
                    Optional.ofNullable(pod), Optional.ofNullable(message), Optional.ofNullable(error),
                    Optional.ofNullable(denialReason));
        }
    }
}
