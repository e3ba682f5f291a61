package dev.gpushare.scheduler.extender;

import static dev.gpushare.scheduler.support.TestObjects.create;
import static dev.gpushare.scheduler.support.TestObjects.get;
import static dev.gpushare.scheduler.support.TestObjects.gpuPod;
import static dev.gpushare.scheduler.support.TestObjects.unique;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gpushare.scheduler.support.ExtenderClient;
import dev.gpushare.scheduler.support.SchedulerSpringTest;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Requests built to mislead the verbs: each gets an {@code Error} naming the field, and nothing is touched. */
@SchedulerSpringTest
class HostileExtenderRequestsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String NAME_RULE = " is not a valid Kubernetes name (RFC 1123 subdomain: lowercase letters,"
            + " digits, '-' and '.', starting and ending alphanumeric, at most 253 characters)";

    @Autowired
    KubernetesClient client;
    @Autowired
    ExtenderClient extender;

    private String bindError(String name, String namespace, String uid, String node) {
        ObjectNode args = JSON.createObjectNode();
        args.put("PodName", name);
        args.put("PodNamespace", namespace);
        args.put("PodUID", uid);
        args.put("Node", node);
        return ExtenderClient.json(extender.post("/bind", args.toString())).get("Error").asString();
    }

    private String filterError(ObjectNode pod, List<String> nodes) {
        ObjectNode args = JSON.createObjectNode();
        args.set("Pod", pod);
        ArrayNode names = args.putArray("NodeNames");
        nodes.forEach(names::add);
        return ExtenderClient.json(extender.post("/filter", args.toString())).get("Error").asString();
    }

    private static ObjectNode json(Pod pod) {
        return (ObjectNode) JSON.readTree(Serialization.asJson(pod));
    }

    @Test
    void namesThatWouldAddressAnotherResourceAreRefusedBeforeAnyUrlIsBuilt() {
        Pod pod = create(client, gpuPod("hostile", unique("pod"), 1, 1000, null));
        String uid = pod.getMetadata().getUid();
        String version = get(client, pod).getMetadata().getResourceVersion();

        assertThat(bindError("../../../nodes/x", "hostile", uid, "n1"))
                .isEqualTo("ExtenderBindingArgs.PodName: \"../../../nodes/x\"" + NAME_RULE);
        assertThat(bindError(pod.getMetadata().getName(), "a/b", uid, "n1"))
                .isEqualTo("ExtenderBindingArgs.PodNamespace: \"a/b\" is not a valid Kubernetes namespace (RFC 1123"
                        + " label: lowercase letters, digits and '-', starting and ending alphanumeric, at most 63"
                        + " characters)");
        assertThat(bindError(pod.getMetadata().getName(), "hostile", uid, "n1/../../x"))
                .isEqualTo("ExtenderBindingArgs.Node: \"n1/../../x\"" + NAME_RULE);
        assertThat(bindError(pod.getMetadata().getName(), "hostile", "u\nforged", "n1"))
                .isEqualTo("ExtenderBindingArgs.PodUID: \"u\\nforged\" is not a Kubernetes UID (at most 128"
                        + " printable ASCII characters)");
        assertThat(filterError(json(pod), List.of("good", "a/b")))
                .isEqualTo("ExtenderArgs.NodeNames[1]: \"a/b\"" + NAME_RULE);
        ObjectNode renamed = json(pod);
        ((ObjectNode) renamed.get("metadata")).put("name", "a/b");
        assertThat(filterError(renamed, List.of("good"))).isEqualTo("ExtenderArgs.Pod.metadata.name: \"a/b\""
                + NAME_RULE);

        assertThat(get(client, pod).getMetadata().getResourceVersion()).isEqualTo(version);
    }

    @Test
    void aNullContainerIsAnErrorNamingTheField() {
        Pod pod = create(client, gpuPod("hostile", unique("pod"), 1, 1000, null));
        ObjectNode containers = json(pod);
        ((ObjectNode) containers.get("spec")).putArray("containers").addNull();
        ObjectNode initContainers = json(pod);
        ((ObjectNode) initContainers.get("spec")).putArray("initContainers").addNull();

        assertThat(filterError(containers, List.of("n1")))
                .isEqualTo("ExtenderArgs.Pod.spec.containers[0] is null, not a container");
        assertThat(filterError(initContainers, List.of("n1")))
                .isEqualTo("ExtenderArgs.Pod.spec.initContainers[0] is null, not a container");
    }

    @Test
    void aLongQuantityIsRefusedUnparsedAndEchoedAsAnExcerpt() {
        Pod pod = gpuPod("hostile", unique("pod"), 1, 1000, null);
        pod.getSpec().getContainers().get(0).getResources().getLimits()
                .put("nvidia.com/gpumem", new Quantity("9".repeat(200_000)));
        Pod created = create(client, pod);

        String error = filterError(json(created), List.of("n1"));

        assertThat(error).isEqualTo("invalid GPU request: container c: nvidia.com/gpumem: \"" + "9".repeat(64)
                + "... (200000 chars)\" is not a quantity we read (longer than 40 characters)");
    }
}
