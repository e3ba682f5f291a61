package dev.gpushare.webhook;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import dev.gpushare.common.annotation.Excerpt;
import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.common.request.PodShape;
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
 *   <li>A missing or non-pod {@code request.object}, or one with a {@code null} container entry:
 *       {@code allowed: false}, code 400, reason {@code BadRequest}, naming the field.</li>
 *   <li>Scheduler-owned annotations and labels ({@link HamiKeys#schedulerOwned}) are refused (403) on CREATE, for
 *       every pod whatever its scheduler: a pod created with them claims GPUs nobody placed. On UPDATE they are
 *       refused when they change and the request's {@code userInfo.username} is not one of the configured
 *       annotation writers (when none are configured, UPDATE is not checked: the webhook cannot tell who writes).
 *       Other UPDATEs pass unchanged.</li>
 *   <li>No readable uid (not JSON, not an AdmissionReview of a known version, no {@code request}, a uid longer
 *       than {@value #MAX_UID} characters): HTTP 400 with a Status body; the API server then applies the webhook's
 *       failurePolicy.</li>
 *   <li>Any unexpected exception: the pod is allowed unchanged with a {@code warnings} entry, never an HTTP 500
 *       and never a blocked pod creation; the exception is returned for the caller to log and count.</li>
 *   <li>A GPU pod whose namespace quota the scheduler cannot check now ({@link QuotaHeadroom.Unknown}): allowed
 *       with its patch and a {@code warnings} entry naming the namespace and why.</li>
 * </ul>
 * Every request value in a message (names, annotation values, kinds) is an {@link Excerpt}.
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

    /** The API server's uids are 36-character UUIDs; a longer one is not from it and is not echoed. */
    static final int MAX_UID = 128;

    private final PodMutator mutator;
    private final Set<String> annotationWriters;

    public AdmissionReviewHandler(PodMutator mutator) {
        this(mutator, Set.of());
    }

    /**
     * @param annotationWriters the usernames (e.g. {@code system:serviceaccount:hami:hami-scheduler}) that may change
     *                          scheduler-owned annotations in an UPDATE; empty: UPDATEs are not checked
     */
    public AdmissionReviewHandler(PodMutator mutator, Set<String> annotationWriters) {
        this.mutator = Objects.requireNonNull(mutator, "mutator");
        this.annotationWriters = Set.copyOf(annotationWriters);
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
            return unreadable("request body is not JSON: " + Excerpt.message(e.getOriginalMessage()));
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
        if (uid.length() > MAX_UID) {
            return unreadable("AdmissionReview request.uid is longer than " + MAX_UID + " characters: "
                    + Excerpt.of(uid));
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
            return answer.malformed("request.object is not a valid Pod: "
                    + Excerpt.message(e.getOriginalMessage()));
        }
        Optional<String> nullContainer = PodShape.nullContainer(pod);
        if (nullContainer.isPresent()) {
            return answer.malformed("request.object." + nullContainer.get() + " is null, not a container");
        }
        String namespace = text(request, "namespace");
        if (namespace == null && pod.getMetadata() != null) {
            namespace = pod.getMetadata().getNamespace();
        }
        answer.pod = describe(namespace, pod.getMetadata());

        String operation = text(request, "operation");
        if ("UPDATE".equals(operation)) {
            return update(answer, request, pod);
        }
        if (operation != null && !"CREATE".equals(operation)) {
            return answer.skipped("operation " + Excerpt.plain(operation) + " is not mutated");
        }
        Set<String> owned = schedulerOwnedKeys(pod);
        if (!owned.isEmpty()) {
            return answer.denied(DenialReason.SCHEDULER_OWNED_ANNOTATION,
                    ownedMessage(owned, "a pod cannot be created with them"));
        }
        PodMutation mutation = mutator.mutate(pod, namespace);
        if (mutation instanceof PodMutation.Skip skip) {
            return answer.skipped(skip.reason());
        }
        if (mutation instanceof PodMutation.Deny deny) {
            return answer.denied(deny.reason(), deny.message());
        }
        PodMutation.Patch patch = (PodMutation.Patch) mutation;
        return answer.patched(patch.operations(), patch.warnings());
    }

    /** An UPDATE: refused when it changes a scheduler-owned key and its user is not a known writer. */
    private AdmissionResult update(Answer answer, JsonNode request, Pod pod) {
        if (!annotationWriters.isEmpty()) {
            JsonNode user = request.get("userInfo");
            String username = user == null ? null : text(user, "username");
            if (username == null || !annotationWriters.contains(username)) {
                Pod old;
                try {
                    JsonNode oldObject = request.get("oldObject");
                    old = oldObject == null || !oldObject.isObject() ? new Pod()
                            : MAPPER.treeToValue(oldObject, Pod.class);
                } catch (JacksonException e) {
                    return answer.malformed("request.oldObject is not a valid Pod: "
                            + Excerpt.message(e.getOriginalMessage()));
                }
                Set<String> changed = changedOwnedKeys(old, pod);
                if (!changed.isEmpty()) {
                    return answer.denied(DenialReason.SCHEDULER_OWNED_ANNOTATION, ownedMessage(changed, "user "
                            + Excerpt.of(username) + " may not change them"));
                }
            }
        }
        return answer.skipped("operation UPDATE is not mutated");
    }

    private static String ownedMessage(Set<String> keys, String consequence) {
        return "metadata " + String.join(", ", keys) + (keys.size() == 1 ? " is" : " are")
                + " written by the scheduler only (a placement and its hand-over to the device plugin): "
                + consequence;
    }

    private static Set<String> schedulerOwnedKeys(Pod pod) {
        Set<String> keys = new TreeSet<>();
        if (pod.getMetadata() != null) {
            ownedKeys(pod.getMetadata().getAnnotations(), "annotation ", keys);
            ownedKeys(pod.getMetadata().getLabels(), "label ", keys);
        }
        return keys;
    }

    private static void ownedKeys(Map<String, String> map, String what, Set<String> into) {
        if (map != null) {
            map.keySet().stream().filter(HamiKeys::schedulerOwned).map(key -> what + Excerpt.plain(key))
                    .forEach(into::add);
        }
    }

    private static Set<String> changedOwnedKeys(Pod old, Pod pod) {
        Set<String> changed = new TreeSet<>();
        changedKeys(old.getMetadata() == null ? null : old.getMetadata().getAnnotations(),
                pod.getMetadata() == null ? null : pod.getMetadata().getAnnotations(), "annotation ", changed);
        changedKeys(old.getMetadata() == null ? null : old.getMetadata().getLabels(),
                pod.getMetadata() == null ? null : pod.getMetadata().getLabels(), "label ", changed);
        return changed;
    }

    private static void changedKeys(Map<String, String> before, Map<String, String> after, String what,
                                    Set<String> into) {
        Map<String, String> b = before == null ? Map.of() : before;
        Map<String, String> a = after == null ? Map.of() : after;
        Set<String> keys = new TreeSet<>(b.keySet());
        keys.addAll(a.keySet());
        keys.stream().filter(HamiKeys::schedulerOwned).filter(key -> !Objects.equals(b.get(key), a.get(key)))
                .map(key -> what + Excerpt.plain(key)).forEach(into::add);
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
        String ns = namespace == null ? "" : Excerpt.plain(namespace);
        if (metadata == null) {
            return ns + "/";
        }
        if (metadata.getName() != null && !metadata.getName().isEmpty()) {
            return ns + "/" + Excerpt.plain(metadata.getName());
        }
        return ns + "/" + (metadata.getGenerateName() == null ? "" : Excerpt.plain(metadata.getGenerateName()) + "*");
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isString() ? value.asString() : null;
    }

    private static String quoted(String value) {
        return value == null ? "none" : Excerpt.of(value);
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

        AdmissionResult patched(List<JsonPatchOperation> operations, List<String> warnings) {
            ObjectNode response = response(true);
            if (!warnings.isEmpty()) {
                ArrayNode list = response.putArray("warnings");
                warnings.forEach(list::add);
            }
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
