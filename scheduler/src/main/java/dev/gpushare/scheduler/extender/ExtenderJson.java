package dev.gpushare.scheduler.extender;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.gpushare.common.annotation.Excerpt;
import dev.gpushare.common.request.KubeNames;
import dev.gpushare.common.request.PodShape;
import dev.gpushare.placement.NodeRejection;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.type.LogicalType;

/**
 * The extender wire types of kube-scheduler ({@code k8s.io/kube-scheduler/extender/v1}, spec 1.4) as records: keys
 * are the Go field names in PascalCase, read case-insensitively as Go does; answers carry every key, {@code null}
 * where Go has a nil value, as kube-scheduler expects. The Pod and the Nodes inside are decoded by fabric8's own
 * serialization, so they read exactly as the client reads them from the API server.
 */
final class ExtenderJson {

    /** A request that cannot be served as sent; the message goes back in {@code Error}. */
    static final class BadRequestException extends Exception {
        BadRequestException(String message) {
            super(message);
        }
    }

    /** {@code ExtenderArgs} as sent. */
    @JsonFormat(with = JsonFormat.Feature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
    record ExtenderArgs(@JsonProperty("Pod") JsonNode pod, @JsonProperty("Nodes") NodeListArgs nodes,
                        @JsonProperty("NodeNames") List<String> nodeNames) {
    }

    /** The part of a {@code NodeList} we read: its items. */
    record NodeListArgs(@JsonProperty("items") List<JsonNode> items) {
    }

    /**
     * {@code ExtenderArgs}, checked.
     *
     * @param nodeNames the candidate names (from {@code NodeNames}, or from the items of {@code Nodes})
     * @param nodes     the candidate objects when the request sent {@code Nodes} (then the answer does too), else
     *                  {@code null}
     */
    record FilterArgs(Pod pod, List<String> nodeNames, Map<String, Node> nodes) {

        /** {@code namespace/name} of the pod, for messages. */
        String who() {
            return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
        }
    }

    /** {@code ExtenderBindingArgs}. */
    @JsonFormat(with = JsonFormat.Feature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
    record BindArgs(@JsonProperty("PodName") String podName, @JsonProperty("PodNamespace") String podNamespace,
                    @JsonProperty("PodUID") String podUid, @JsonProperty("Node") String node) {

        String who() {
            return podNamespace + "/" + podName;
        }
    }

    /** {@code ExtenderFilterResult}. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    @JsonPropertyOrder({"Nodes", "NodeNames", "FailedNodes", "FailedAndUnresolvableNodes", "Error"})
    record FilterResult(@JsonProperty("Nodes") JsonNode nodes, @JsonProperty("NodeNames") List<String> nodeNames,
                        @JsonProperty("FailedNodes") Map<String, String> failedNodes,
                        @JsonProperty("FailedAndUnresolvableNodes") Map<String, String> failedAndUnresolvableNodes,
                        @JsonProperty("Error") String error) {
    }

    /** {@code ExtenderBindingResult}: empty {@code Error} means bound. */
    record BindResult(@JsonProperty("Error") String error) {
    }

    private static final int MAX_UID = 128;

    /** Strict where Go is: a number or a boolean is not a string. */
    private static final JsonMapper JSON = JsonMapper.builder()
            .withCoercionConfig(LogicalType.Textual, text -> text
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .build();
    private static final KubernetesSerialization KUBE = new KubernetesSerialization();

    private ExtenderJson() {
    }

    static FilterArgs filterArgs(byte[] body) throws BadRequestException {
        JsonNode root = root(body, "ExtenderArgs");
        ExtenderArgs args;
        try {
            args = JSON.treeToValue(root, ExtenderArgs.class);
        } catch (DatabindException e) {
            throw new BadRequestException(filterArgsProblem(root, e));
        }
        Pod pod = object(args.pod(), "Pod", Pod.class);
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
        if (args.nodeNames() != null) {
            for (int i = 0; i < args.nodeNames().size(); i++) {
                String name = args.nodeNames().get(i);
                if (blank(name)) {
                    throw new BadRequestException("ExtenderArgs.NodeNames must be an array of node names, got "
                            + (name == null ? "null" : "\"\""));
                }
                check(KubeNames.objectNameProblem("ExtenderArgs.NodeNames[" + i + "]", name));
            }
            return new FilterArgs(pod, List.copyOf(args.nodeNames()), null);
        }
        if (args.nodes() != null) {
            List<String> names = new ArrayList<>();
            Map<String, Node> byName = new LinkedHashMap<>();
            for (JsonNode item : args.nodes().items() == null ? List.<JsonNode>of() : args.nodes().items()) {
                Node node = object(item, "Nodes.items[]", Node.class);
                if (node == null || node.getMetadata() == null || blank(node.getMetadata().getName())) {
                    throw new BadRequestException("ExtenderArgs.Nodes.items[] needs metadata.name");
                }
                check(KubeNames.objectNameProblem("ExtenderArgs.Nodes.items[" + names.size() + "].metadata.name",
                        node.getMetadata().getName()));
                names.add(node.getMetadata().getName());
                byName.put(node.getMetadata().getName(), node);
            }
            return new FilterArgs(pod, names, byName);
        }
        throw new BadRequestException("ExtenderArgs has neither NodeNames nor Nodes (the extender is configured with"
                + " nodeCacheCapable: true, so kube-scheduler sends NodeNames)");
    }

    static BindArgs bindArgs(byte[] body) throws BadRequestException {
        JsonNode root = root(body, "ExtenderBindingArgs");
        BindArgs args;
        try {
            args = JSON.treeToValue(root, BindArgs.class);
        } catch (DatabindException e) {
            String field = canonical(e, BindArgs.class);
            throw new BadRequestException(field == null ? "cannot decode ExtenderBindingArgs: "
                    + Excerpt.message(e.getOriginalMessage()) : stringProblem(field));
        }
        String[][] fields = {{"PodName", args.podName()}, {"PodNamespace", args.podNamespace()},
                {"PodUID", args.podUid()}, {"Node", args.node()}};
        for (String[] field : fields) {
            if (blank(field[1])) {
                throw new BadRequestException(stringProblem(field[0]));
            }
        }
        check(KubeNames.objectNameProblem("ExtenderBindingArgs.PodName", args.podName()));
        check(KubeNames.namespaceProblem("ExtenderBindingArgs.PodNamespace", args.podNamespace()));
        check(uidProblem("ExtenderBindingArgs.PodUID", args.podUid()));
        check(KubeNames.objectNameProblem("ExtenderBindingArgs.Node", args.node()));
        return args;
    }

    /** The answer naming the nodes that passed (all of them, or the one we chose). */
    static String passed(FilterArgs args, List<String> names) {
        if (args.nodes() != null) {
            Map<String, Object> list = new LinkedHashMap<>();
            list.put("apiVersion", "v1");
            list.put("kind", "NodeList");
            list.put("metadata", Map.of());
            list.put("items", names.stream().map(name -> JSON.readTree(KUBE.asJson(args.nodes().get(name))))
                    .toList());
            return write(new FilterResult(JSON.valueToTree(list), null, null, null, ""));
        }
        return write(new FilterResult(null, List.copyOf(names), null, null, ""));
    }

    /**
     * The answer when no node passed: each node with its own reasons, in {@code FailedAndUnresolvableNodes} when no
     * preemption can help it, else in {@code FailedNodes}; a map with no node is {@code null}, as Go writes it.
     */
    static String failed(SortedMap<String, NodeRejection> rejections) {
        TreeMap<String, String> failed = new TreeMap<>();
        TreeMap<String, String> unresolvable = new TreeMap<>();
        rejections.forEach((node, rejection) ->
                (rejection.resolvable() ? failed : unresolvable).put(node, rejection.wireText()));
        return write(new FilterResult(null, null, failed.isEmpty() ? null : failed,
                unresolvable.isEmpty() ? null : unresolvable, ""));
    }

    /** A filter answer that fails the scheduling attempt as an error. */
    static String filterError(String error) {
        return write(new FilterResult(null, null, null, null, error));
    }

    /** {@code ExtenderBindingResult}: empty {@code error} means bound. */
    static String bindResult(String error) {
        return write(new BindResult(error));
    }

    private static String write(Object result) {
        return JSON.writeValueAsString(result);
    }

    private static JsonNode root(byte[] body, String type) throws BadRequestException {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JacksonException e) {
            throw new BadRequestException("cannot decode " + type + ": " + Excerpt.message(e.getOriginalMessage()));
        }
        if (root == null || !root.isObject()) {
            throw new BadRequestException("cannot decode " + type + ": expected a JSON object");
        }
        return root;
    }

    /** What a request field of the wrong shape is told: the field by its Go name, and the value when short. */
    private static String filterArgsProblem(JsonNode root, DatabindException e) {
        String field = canonical(e, ExtenderArgs.class);
        if ("NodeNames".equals(field)) {
            if (e.getPath().size() > 1 && e.getPath().get(1).getIndex() >= 0) {
                JsonNode value = root.get(e.getPath().get(0).getPropertyName()).get(e.getPath().get(1).getIndex());
                return "ExtenderArgs.NodeNames must be an array of node names, got " + Excerpt.plain(value.toString());
            }
            return "ExtenderArgs.NodeNames must be an array of node names";
        }
        if ("Nodes".equals(field)) {
            return "ExtenderArgs.Nodes must be a NodeList with items";
        }
        return "cannot decode ExtenderArgs: " + Excerpt.message(e.getOriginalMessage());
    }

    /** The Go name of the record field the error is about, whatever case the request used; else {@code null}. */
    private static String canonical(DatabindException e, Class<? extends Record> type) {
        if (e.getPath().isEmpty() || e.getPath().get(0).getPropertyName() == null) {
            return null;
        }
        String sent = e.getPath().get(0).getPropertyName();
        for (var component : type.getRecordComponents()) {
            String name = component.getAccessor().getAnnotation(JsonProperty.class).value();
            if (name.equalsIgnoreCase(sent)) {
                return name;
            }
        }
        return null;
    }

    private static String stringProblem(String field) {
        return "ExtenderBindingArgs." + field + " is missing or not a non-empty string";
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
