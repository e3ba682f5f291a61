package dev.gpushare.scheduler.extender;

import dev.gpushare.common.annotation.Excerpt;
import dev.gpushare.common.request.KubeNames;
import dev.gpushare.common.request.PodShape;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The extender wire types of kube-scheduler ({@code k8s.io/kube-scheduler/extender/v1}, spec 1.4): keys are the Go
 * field names in PascalCase, read case-insensitively as Go does; answers carry every key, {@code null} where Go
 * has a nil value, as kube-scheduler expects.
 */
final class ExtenderJson {

    /** A request that cannot be served as sent; the message goes back in {@code Error}. */
    static final class BadRequestException extends Exception {
        BadRequestException(String message) {
            super(message);
        }
    }

    /**
     * {@code ExtenderArgs}.
     *
     * @param nodeNames the candidate names (from {@code NodeNames}, or from the items of {@code Nodes})
     * @param nodes     the candidate objects when the request sent {@code Nodes} (then the answer does too), else
     *                  {@code null}
     */
    record FilterArgs(Pod pod, List<String> nodeNames, Map<String, Node> nodes) {
    }

    /** {@code ExtenderBindingArgs}. */
    record BindArgs(String podName, String podNamespace, String podUid, String node) {
    }

    private static final int MAX_UID = 128;
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final KubernetesSerialization KUBE = new KubernetesSerialization();

    private ExtenderJson() {
    }

    static FilterArgs filterArgs(byte[] body) throws BadRequestException {
        Map<String, JsonNode> fields = fields(body, "ExtenderArgs");
        Pod pod = object(fields.get("pod"), "Pod", Pod.class);
        if (pod == null) {
            throw new BadRequestException("ExtenderArgs.Pod is missing");
        }
        if (pod.getMetadata() == null || blank(pod.getMetadata().getName())
                || blank(pod.getMetadata().getNamespace()) || blank(pod.getMetadata().getUid())) {
            throw new BadRequestException("ExtenderArgs.Pod needs metadata.name, metadata.namespace and metadata.uid");
        }
        check(KubeNames.objectNameProblem("ExtenderArgs.Pod.metadata.name", pod.getMetadata().getName()));
        check(KubeNames.namespaceProblem("ExtenderArgs.Pod.metadata.namespace", pod.getMetadata().getNamespace()));
        check(uidProblem("ExtenderArgs.Pod.metadata.uid", pod.getMetadata().getUid()));
        Optional<String> nullContainer = PodShape.nullContainer(pod);
        if (nullContainer.isPresent()) {
            throw new BadRequestException("ExtenderArgs.Pod." + nullContainer.get() + " is null, not a container");
        }
        JsonNode names = fields.get("nodenames");
        if (names != null && !names.isNull()) {
            if (!names.isArray()) {
                throw new BadRequestException("ExtenderArgs.NodeNames must be an array of node names");
            }
            List<String> list = new ArrayList<>(names.size());
            for (JsonNode name : names) {
                if (!name.isString() || name.asString().isEmpty()) {
                    throw new BadRequestException("ExtenderArgs.NodeNames must be an array of node names, got "
                            + Excerpt.plain(name.toString()));
                }
                check(KubeNames.objectNameProblem("ExtenderArgs.NodeNames[" + list.size() + "]", name.asString()));
                list.add(name.asString());
            }
            return new FilterArgs(pod, list, null);
        }
        JsonNode nodeList = fields.get("nodes");
        if (nodeList != null && !nodeList.isNull()) {
            JsonNode items = nodeList.isObject() ? nodeList.get("items") : null;
            if (items == null || !(items.isArray() || items.isNull())) {
                throw new BadRequestException("ExtenderArgs.Nodes must be a NodeList with items");
            }
            List<String> list = new ArrayList<>();
            Map<String, Node> byName = new HashMap<>();
            if (items.isArray()) {
                for (JsonNode item : items) {
                    Node node = object(item, "Nodes.items[]", Node.class);
                    if (node == null || node.getMetadata() == null || blank(node.getMetadata().getName())) {
                        throw new BadRequestException("ExtenderArgs.Nodes.items[] needs metadata.name");
                    }
                    check(KubeNames.objectNameProblem("ExtenderArgs.Nodes.items[" + list.size() + "].metadata.name",
                            node.getMetadata().getName()));
                    list.add(node.getMetadata().getName());
                    byName.put(node.getMetadata().getName(), node);
                }
            }
            return new FilterArgs(pod, list, byName);
        }
        throw new BadRequestException("ExtenderArgs has neither NodeNames nor Nodes (the extender is configured with"
                + " nodeCacheCapable: true, so kube-scheduler sends NodeNames)");
    }

    static BindArgs bindArgs(byte[] body) throws BadRequestException {
        Map<String, JsonNode> fields = fields(body, "ExtenderBindingArgs");
        String podName = string(fields, "podname", "PodName");
        String podNamespace = string(fields, "podnamespace", "PodNamespace");
        String podUid = string(fields, "poduid", "PodUID");
        String node = string(fields, "node", "Node");
        check(KubeNames.objectNameProblem("ExtenderBindingArgs.PodName", podName));
        check(KubeNames.namespaceProblem("ExtenderBindingArgs.PodNamespace", podNamespace));
        check(uidProblem("ExtenderBindingArgs.PodUID", podUid));
        check(KubeNames.objectNameProblem("ExtenderBindingArgs.Node", node));
        return new BindArgs(podName, podNamespace, podUid, node);
    }

    /** The answer naming the nodes that passed (all of them, or the one we chose). */
    static String passed(FilterArgs args, List<String> names) {
        ObjectNode result = JSON.createObjectNode();
        if (args.nodes() != null) {
            ObjectNode list = result.putObject("Nodes");
            list.put("apiVersion", "v1");
            list.put("kind", "NodeList");
            list.putObject("metadata");
            ArrayNode items = list.putArray("items");
            names.forEach(name -> items.add(JSON.readTree(KUBE.asJson(args.nodes().get(name)))));
            result.putNull("NodeNames");
        } else {
            result.putNull("Nodes");
            ArrayNode array = result.putArray("NodeNames");
            names.forEach(array::add);
        }
        result.putNull("FailedNodes");
        result.putNull("FailedAndUnresolvableNodes");
        result.put("Error", "");
        return JSON.writeValueAsString(result);
    }

    /** The answer when no node passed: each node with its own reasons. */
    static String failed(SortedMap<String, String> failedNodes) {
        ObjectNode result = JSON.createObjectNode();
        result.putNull("Nodes");
        result.putNull("NodeNames");
        ObjectNode failed = result.putObject("FailedNodes");
        failedNodes.forEach(failed::put);
        result.putNull("FailedAndUnresolvableNodes");
        result.put("Error", "");
        return JSON.writeValueAsString(result);
    }

    /** A filter answer that fails the scheduling attempt as an error. */
    static String filterError(String error) {
        ObjectNode result = JSON.createObjectNode();
        result.putNull("Nodes");
        result.putNull("NodeNames");
        result.putNull("FailedNodes");
        result.putNull("FailedAndUnresolvableNodes");
        result.put("Error", error);
        return JSON.writeValueAsString(result);
    }

    /** {@code ExtenderBindingResult}: empty {@code error} means bound. */
    static String bindResult(String error) {
        ObjectNode result = JSON.createObjectNode();
        result.put("Error", error);
        return JSON.writeValueAsString(result);
    }

    private static Map<String, JsonNode> fields(byte[] body, String type) throws BadRequestException {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JacksonException e) {
            throw new BadRequestException("cannot decode " + type + ": " + Excerpt.message(e.getOriginalMessage()));
        }
        if (root == null || !root.isObject()) {
            throw new BadRequestException("cannot decode " + type + ": expected a JSON object");
        }
        Map<String, JsonNode> fields = new HashMap<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            fields.put(field.getKey().toLowerCase(Locale.ROOT), field.getValue());
        }
        return fields;
    }

    private static <T> T object(JsonNode node, String what, Class<T> type) throws BadRequestException {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw new BadRequestException(what + " must be a JSON object");
        }
        try {
            return KUBE.convertValue(node, type);
        } catch (RuntimeException e) {
            throw new BadRequestException("cannot decode " + what + ": " + Excerpt.message(e.getMessage()));
        }
    }

    private static String string(Map<String, JsonNode> fields, String key, String name) throws BadRequestException {
        JsonNode value = fields.get(key);
        if (value == null || !value.isString() || value.asString().isEmpty()) {
            throw new BadRequestException("ExtenderBindingArgs." + name + " is missing or not a non-empty string");
        }
        return value.asString();
    }

    private static boolean blank(String s) {
        return s == null || s.isEmpty();
    }

    private static void check(Optional<String> problem) throws BadRequestException {
        if (problem.isPresent()) {
            throw new BadRequestException(problem.get());
        }
    }

    /** A uid is compared and echoed, never put in a URL: bounded and printable is what matters. */
    private static Optional<String> uidProblem(String field, String uid) {
        if (uid.length() <= MAX_UID && uid.chars().allMatch(c -> c > ' ' && c < 0x7f)) {
            return Optional.empty();
        }
        return Optional.of(field + ": " + Excerpt.of(uid) + " is not a Kubernetes UID (at most " + MAX_UID
                + " printable ASCII characters)");
    }
}
