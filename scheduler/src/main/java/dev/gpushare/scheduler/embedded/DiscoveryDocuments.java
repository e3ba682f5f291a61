package dev.gpushare.scheduler.embedded;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The discovery documents of the embedded API ({@code /api}, {@code /apis}, {@code /api/v1}, the groups'
 * resource lists, {@code /version}): what kubectl reads before anything else to map {@code get nodes} to a URL.
 * They list the kinds the embedded cluster holds and the chart installs (secrets, deployments, daemon sets and the
 * webhook configuration, for the operations guides). The fabric8 mock server answers these paths with object
 * lists, which kubectl cannot use ("the server doesn't have a resource type").
 */
final class DiscoveryDocuments {

    /** The Kubernetes version the embedded API reports ({@code kubectl version}). */
    static final String GIT_VERSION = "v1.31.0+gpushare-embedded";

    private record Resource(String name, String singular, boolean namespaced, String kind, List<String> verbs,
                            List<String> shortNames, List<String> categories) {
    }

    private static final List<String> ALL_VERBS =
            List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

    private static final List<Resource> CORE = List.of(
            new Resource("namespaces", "namespace", false, "Namespace", ALL_VERBS, List.of("ns"), List.of()),
            new Resource("nodes", "node", false, "Node", ALL_VERBS, List.of("no"), List.of()),
            new Resource("pods", "pod", true, "Pod", ALL_VERBS, List.of("po"), List.of("all")),
            new Resource("pods/binding", "", true, "Binding", List.of("create"), List.of(), List.of()),
            new Resource("pods/status", "", true, "Pod", List.of("get", "patch", "update"), List.of(), List.of()),
            new Resource("events", "event", true, "Event", ALL_VERBS, List.of("ev"), List.of()),
            new Resource("resourcequotas", "resourcequota", true, "ResourceQuota", ALL_VERBS, List.of("quota"),
                    List.of()),
            new Resource("secrets", "secret", true, "Secret", ALL_VERBS, List.of(), List.of()));

    /** An API group of one version: what the chart installs and the scheduler reads there. */
    private record Group(String name, String version, List<Resource> resources) {

        String groupVersion() {
            return name + "/" + version;
        }
    }

    private static final List<Group> GROUPS = List.of(
            new Group("coordination.k8s.io", "v1", List.of(
                    new Resource("leases", "lease", true, "Lease", ALL_VERBS, List.of(), List.of()))),
            new Group("apps", "v1", List.of(
                    new Resource("daemonsets", "daemonset", true, "DaemonSet", ALL_VERBS, List.of("ds"),
                            List.of("all")),
                    new Resource("daemonsets/status", "", true, "DaemonSet", List.of("get", "patch", "update"),
                            List.of(), List.of()),
                    new Resource("deployments", "deployment", true, "Deployment", ALL_VERBS, List.of("deploy"),
                            List.of("all")),
                    new Resource("deployments/status", "", true, "Deployment", List.of("get", "patch", "update"),
                            List.of(), List.of()))),
            new Group("admissionregistration.k8s.io", "v1", List.of(
                    new Resource("mutatingwebhookconfigurations", "mutatingwebhookconfiguration", false,
                            "MutatingWebhookConfiguration", ALL_VERBS, List.of(), List.of("api-extensions")))));

    private DiscoveryDocuments() {
    }

    /** The document served at {@code path} (without query), or empty when the path is not a discovery path. */
    static Optional<Object> at(String path) {
        String trimmed = path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
        for (Group group : GROUPS) {
            if (trimmed.equals("/apis/" + group.name())) {
                return Optional.of(withKind("APIGroup", groupDocument(group)));
            }
            if (trimmed.equals("/apis/" + group.groupVersion())) {
                return Optional.of(resourceList(group.groupVersion(), group.resources()));
            }
        }
        return Optional.ofNullable(switch (trimmed) {
            case "/api" -> Map.of("kind", "APIVersions", "versions", List.of("v1"),
                    "serverAddressByClientCIDRs", List.of(Map.of("clientCIDR", "0.0.0.0/0",
                            "serverAddress", "127.0.0.1")));
            case "/apis" -> Map.of("kind", "APIGroupList", "apiVersion", "v1", "groups",
                    GROUPS.stream().map(DiscoveryDocuments::groupDocument).toList());
            case "/api/v1" -> resourceList("v1", CORE);
            case "/version" -> Map.of("major", "1", "minor", "31", "gitVersion", GIT_VERSION,
                    "gitCommit", "", "gitTreeState", "clean", "buildDate", "1970-01-01T00:00:00Z",
                    "goVersion", "", "compiler", "", "platform", "linux/amd64");
            default -> null;
        });
    }

    /** The kind of the objects that {@code path} lists ({@code Pod} for {@code .../pods}), or empty. */
    static String kindOf(String path) {
        String plural = path.substring(path.lastIndexOf('/') + 1);
        return java.util.stream.Stream.concat(CORE.stream(), GROUPS.stream().flatMap(g -> g.resources().stream()))
                .filter(r -> r.name().equals(plural)).map(Resource::kind).findFirst().orElse("");
    }

    private static Map<String, Object> groupDocument(Group group) {
        Map<String, String> version = Map.of("groupVersion", group.groupVersion(), "version", group.version());
        return Map.of("name", group.name(), "versions", List.of(version), "preferredVersion", version);
    }

    private static Map<String, Object> withKind(String kind, Map<String, Object> body) {
        Map<String, Object> result = new java.util.LinkedHashMap<>();
        result.put("kind", kind);
        result.put("apiVersion", "v1");
        result.putAll(body);
        return result;
    }

    private static Map<String, Object> resourceList(String groupVersion, List<Resource> resources) {
        return Map.of("kind", "APIResourceList", "apiVersion", "v1", "groupVersion", groupVersion,
                "resources", resources.stream().map(r -> {
                    Map<String, Object> resource = new java.util.LinkedHashMap<>();
                    resource.put("name", r.name());
                    resource.put("singularName", r.singular());
                    resource.put("namespaced", r.namespaced());
                    resource.put("kind", r.kind());
                    resource.put("verbs", r.verbs());
                    if (!r.shortNames().isEmpty()) {
                        resource.put("shortNames", r.shortNames());
                    }
                    if (!r.categories().isEmpty()) {
                        resource.put("categories", r.categories());
                    }
                    return resource;
                }).toList());
    }
}
