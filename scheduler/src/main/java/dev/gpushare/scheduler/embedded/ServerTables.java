package dev.gpushare.scheduler.embedded;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Server-side printing: a list or an object as a {@code meta.k8s.io/v1} {@code Table}, with the API server's
 * columns for pods, nodes and events (wide columns have priority 1, which {@code -o wide} shows) and
 * {@code Name}/{@code Age} for every other kind. kubectl asks for tables in its {@code Accept} header; without them
 * it can print only names and ages.
 */
final class ServerTables {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final String NONE = "<none>";

    private record Column(String name, String type, String format, int priority, Function<JsonNode, Object> cell) {
    }

    private ServerTables() {
    }

    /** Whether an {@code Accept} header asks for a table. */
    static boolean wanted(String accept) {
        return accept != null && accept.contains("as=Table");
    }

    /**
     * The table of {@code body} (a {@code *List} or a single object). {@code includeObject} is the request's
     * parameter: {@code None}, {@code Metadata} (the default) or {@code Object}.
     */
    static ObjectNode of(JsonNode body, String includeObject, Instant now) {
        return of(body, "", includeObject, now);
    }

    /** As {@link #of(JsonNode, String, Instant)}, with the kind for an empty list ({@code Pod}, ...). */
    static ObjectNode of(JsonNode body, String listKind, String includeObject, Instant now) {
        boolean list = body.path("kind").asString().endsWith("List") && body.has("items");
        List<JsonNode> items = new ArrayList<>();
        if (list) {
            body.get("items").forEach(items::add);
        } else {
            items.add(body);
        }
        // The mock server calls every list "List": the items say what they are.
        String kind = items.isEmpty() ? listKind : items.get(0).path("kind").asString();
        List<Column> columns = columns(kind, now);
        ObjectNode table = JSON.objectNode();
        table.put("kind", "Table");
        table.put("apiVersion", "meta.k8s.io/v1");
        ObjectNode metadata = table.putObject("metadata");
        JsonNode listMeta = body.path("metadata");
        if (list && listMeta.has("resourceVersion")) {
            metadata.put("resourceVersion", listMeta.get("resourceVersion").asString());
        }
        ArrayNode definitions = table.putArray("columnDefinitions");
        for (Column column : columns) {
            ObjectNode definition = definitions.addObject();
            definition.put("name", column.name());
            definition.put("type", column.type());
            definition.put("format", column.format());
            definition.put("description", column.name());
            definition.put("priority", column.priority());
        }
        ArrayNode rows = table.putArray("rows");
        for (JsonNode item : items) {
            ObjectNode row = rows.addObject();
            ArrayNode cells = row.putArray("cells");
            for (Column column : columns) {
                Object cell = column.cell().apply(item);
                if (cell instanceof Integer number) {
                    cells.add(number);
                } else {
                    cells.add(String.valueOf(cell));
                }
            }
            if ("Object".equals(includeObject)) {
                row.set("object", item);
            } else if (!"None".equals(includeObject)) {
                ObjectNode partial = row.putObject("object");
                partial.put("kind", "PartialObjectMetadata");
                partial.put("apiVersion", "meta.k8s.io/v1");
                partial.set("metadata", item.path("metadata").deepCopy());
            }
        }
        return table;
    }

    private static List<Column> columns(String kind, Instant now) {
        Column name = new Column("Name", "string", "name", 0, item -> text(item, "metadata", "name"));
        Column age = new Column("Age", "string", "", 0, item -> age(text(item, "metadata", "creationTimestamp"), now));
        return switch (kind) {
            case "Pod" -> List.of(name,
                    new Column("Ready", "string", "", 0, ServerTables::podReady),
                    new Column("Status", "string", "", 0, ServerTables::podStatus),
                    new Column("Restarts", "string", "", 0, ServerTables::podRestarts),
                    age,
                    new Column("IP", "string", "", 1, item -> orNone(text(item, "status", "podIP"))),
                    new Column("Node", "string", "", 1, item -> orNone(text(item, "spec", "nodeName"))),
                    new Column("Nominated Node", "string", "", 1,
                            item -> orNone(text(item, "status", "nominatedNodeName"))),
                    new Column("Readiness Gates", "string", "", 1, item -> NONE));
            case "Node" -> List.of(name,
                    new Column("Status", "string", "", 0, ServerTables::nodeStatus),
                    new Column("Roles", "string", "", 0, ServerTables::nodeRoles),
                    age,
                    new Column("Version", "string", "", 0, item -> text(item, "status", "nodeInfo", "kubeletVersion")),
                    new Column("Internal-IP", "string", "", 1, item -> nodeAddress(item, "InternalIP")),
                    new Column("External-IP", "string", "", 1, item -> nodeAddress(item, "ExternalIP")),
                    new Column("OS-Image", "string", "", 1,
                            item -> orUnknown(text(item, "status", "nodeInfo", "osImage"))),
                    new Column("Kernel-Version", "string", "", 1,
                            item -> orUnknown(text(item, "status", "nodeInfo", "kernelVersion"))),
                    new Column("Container-Runtime", "string", "", 1,
                            item -> orUnknown(text(item, "status", "nodeInfo", "containerRuntimeVersion"))));
            case "Event" -> List.of(
                    new Column("Last Seen", "string", "", 0, item -> age(eventLastSeen(item), now)),
                    new Column("Type", "string", "", 0, item -> text(item, "type")),
                    new Column("Reason", "string", "", 0, item -> text(item, "reason")),
                    new Column("Object", "string", "", 0, item -> text(item, "involvedObject", "kind").toLowerCase()
                            + "/" + text(item, "involvedObject", "name")),
                    new Column("Source", "string", "", 1, item -> text(item, "source", "component")),
                    new Column("Message", "string", "", 0, item -> text(item, "message")),
                    new Column("Count", "integer", "", 1, item -> Math.max(1, item.path("count").asInt())),
                    new Column("Name", "string", "name", 1, item -> text(item, "metadata", "name")));
            default -> List.of(name, age);
        };
    }

    private static String text(JsonNode node, String... path) {
        JsonNode current = node;
        for (String part : path) {
            current = current.path(part);
        }
        return current.isValueNode() ? current.asString() : "";
    }

    private static String orNone(String value) {
        return value.isEmpty() ? NONE : value;
    }

    private static String orUnknown(String value) {
        return value.isEmpty() ? "<unknown>" : value;
    }

    private static String age(String timestamp, Instant now) {
        if (timestamp.isEmpty()) {
            return "<unknown>";
        }
        try {
            return HumanAge.of(Duration.between(Instant.parse(timestamp), now));
        } catch (DateTimeParseException e) {
            return "<unknown>";
        }
    }

    private static String eventLastSeen(JsonNode event) {
        String last = text(event, "lastTimestamp");
        if (!last.isEmpty()) {
            return last;
        }
        String first = text(event, "firstTimestamp");
        return first.isEmpty() ? text(event, "metadata", "creationTimestamp") : first;
    }

    private static String podReady(JsonNode pod) {
        int containers = pod.path("spec").path("containers").size();
        int ready = 0;
        for (JsonNode status : pod.path("status").path("containerStatuses")) {
            if (status.path("ready").asBoolean()) {
                ready++;
            }
        }
        return ready + "/" + containers;
    }

    private static String podRestarts(JsonNode pod) {
        int restarts = 0;
        for (JsonNode status : pod.path("status").path("containerStatuses")) {
            restarts += status.path("restartCount").asInt();
        }
        return Integer.toString(restarts);
    }

    /** kubectl's pod status: the phase, or a reason that says more (a waiting or terminated container, deletion). */
    private static String podStatus(JsonNode pod) {
        String reason = text(pod, "status", "phase");
        String podReason = text(pod, "status", "reason");
        if (!podReason.isEmpty()) {
            reason = podReason;
        }
        for (JsonNode status : pod.path("status").path("containerStatuses")) {
            String waiting = text(status, "state", "waiting", "reason");
            String terminated = text(status, "state", "terminated", "reason");
            if (!waiting.isEmpty()) {
                reason = waiting;
            } else if (!terminated.isEmpty() && !"Completed".equals(terminated)) {
                reason = terminated;
            }
        }
        if (!text(pod, "metadata", "deletionTimestamp").isEmpty()) {
            reason = "Terminating";
        }
        return reason.isEmpty() ? "Pending" : reason;
    }

    private static String nodeStatus(JsonNode node) {
        String status = "Unknown";
        for (JsonNode condition : node.path("status").path("conditions")) {
            if ("Ready".equals(text(condition, "type"))) {
                status = "True".equals(text(condition, "status")) ? "Ready" : "NotReady";
            }
        }
        return node.path("spec").path("unschedulable").asBoolean() ? status + ",SchedulingDisabled" : status;
    }

    private static String nodeRoles(JsonNode node) {
        List<String> roles = new ArrayList<>();
        for (var label : node.path("metadata").path("labels").properties()) {
            if (label.getKey().startsWith("node-role.kubernetes.io/")) {
                roles.add(label.getKey().substring("node-role.kubernetes.io/".length()));
            }
        }
        return roles.isEmpty() ? NONE : String.join(",", roles);
    }

    private static String nodeAddress(JsonNode node, String type) {
        for (JsonNode address : node.path("status").path("addresses")) {
            if (type.equals(text(address, "type"))) {
                return text(address, "address");
            }
        }
        return NONE;
    }
}
