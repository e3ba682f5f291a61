package dev.gpushare.webhook;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import dev.gpushare.common.annotation.AllocationEncoding;
import dev.gpushare.common.config.DeviceConfig;
import dev.gpushare.common.config.DeviceConfigException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Builds AdmissionReview requests and reads the answers, for the webhook tests. */
final class Reviews {

    static final JsonMapper MAPPER = JsonMapper.builder().build();
    static final String UID = "0b1c2d3e-0000-4000-8000-000000000001";

    private Reviews() {
    }

    /** JSON written with single quotes for readability. */
    static String json(String singleQuoted) {
        return singleQuoted.replace('\'', '"');
    }

    /** An AdmissionReview of a pod CREATE in namespace {@code ns}, as the API server sends it. */
    static byte[] review(String apiVersion, String podJson) {
        ObjectNode review = MAPPER.createObjectNode();
        review.put("apiVersion", apiVersion);
        review.put("kind", "AdmissionReview");
        ObjectNode request = review.putObject("request");
        request.put("uid", UID);
        request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
        request.put("namespace", "ns");
        request.put("operation", "CREATE");
        request.set("object", MAPPER.readTree(podJson));
        return MAPPER.writeValueAsBytes(review);
    }

    static byte[] review(String podJson) {
        return review("admission.k8s.io/v1", podJson);
    }

    static JsonNode response(AdmissionResult result) {
        return MAPPER.readTree(result.body()).get("response");
    }

    /** The decoded JSON Patch of an answer, compact, or {@code null} when there is none. */
    static String patch(AdmissionResult result) {
        JsonNode patch = response(result).get("patch");
        return patch == null ? null
                : new String(Base64.getDecoder().decode(patch.asString()), StandardCharsets.UTF_8);
    }

    static MutatorConfig config(String deviceConfigYaml, boolean force, AllocationEncoding encoding) {
        try {
            DeviceConfig deviceConfig = deviceConfigYaml.isEmpty() ? DeviceConfig.defaults()
                    : DeviceConfig.parse(deviceConfigYaml);
            return new MutatorConfig("hami-scheduler", force, deviceConfig, encoding);
        } catch (DeviceConfigException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static MutatorConfig defaultConfig() {
        return config("", true, AllocationEncoding.V2_8);
    }
}
