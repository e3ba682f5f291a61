package dev.gpushare.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import dev.gpushare.common.annotation.AllocationEncoding;
import dev.gpushare.testkit.Generators;
import dev.gpushare.testkit.PropertyCheck;
import dev.gpushare.webhook.AdmissionResult.Outcome;
import io.fabric8.zjsonpatch.JsonPatch;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Over random pods (valid and invalid values, init containers, sidecars, env, privileged containers, any scheduler
 * name) and random configurations, 1,000 tries (see {@link PropertyCheck}): every answer is a well-formed
 * AdmissionReview, and a patch always applies to the pod as sent, yields no duplicate variable, and leaves a pod
 * that needs no further change.
 */
class AdmissionPropertiesTest {

    private static final List<String> RESOURCES = List.of("nvidia.com/gpu", "nvidia.com/gpumem",
            "nvidia.com/gpumem-percentage", "nvidia.com/gpucores", "nvidia.com/priority", "cpu");
    /** Valid values per resource of {@link #RESOURCES}, same order. */
    private static final List<List<String>> VALID = List.of(List.of("1", "2"), List.of("1000", "3k", "4096"),
            List.of("50", "100"), List.of("30", "100"), List.of("0", "1"), List.of("1", "500m"));
    private static final List<String> INVALID = List.of("0", "150", "-1", "1.5", "1Gi");
    private static final List<String> ENV_NAMES = List.of("A", "CUDA_TASK_PRIORITY", "NVIDIA_VISIBLE_DEVICES",
            "GPU_CORE_UTILIZATION_POLICY");
    /** Container shape bits: privileged (rare), native sidecar (init containers only), empty resources and env. */
    private static final int PRIVILEGED = 1;
    private static final int SIDECAR = 2;
    private static final int EMPTY_BLOCKS = 4;

    @Test
    void patchesApplyAndSettle() {
        Map<Outcome, Integer> outcomes = new EnumMap<>(Outcome.class);
        PropertyCheck.forAll(AdmissionPropertiesTest::sample, s -> {
            AdmissionReviewHandler handler = new AdmissionReviewHandler(
                    new PodMutator(s.config(), QuotaLookup.UNLIMITED));

            AdmissionResult result = handler.handle(Reviews.review(s.pod()));

            outcomes.merge(result.outcome(), 1, Integer::sum);
            assertThat(result.httpStatus()).isEqualTo(200);
            assertThat(result.outcome()).isIn(Outcome.PATCHED, Outcome.UNCHANGED, Outcome.SKIPPED, Outcome.DENIED);
            JsonNode response = Reviews.response(result);
            assertThat(response.get("uid").asString()).isEqualTo(Reviews.UID);
            assertThat(response.has("patch")).isEqualTo(result.outcome() == Outcome.PATCHED);
            if (result.outcome() != Outcome.PATCHED) {
                return;
            }
            JsonNode patch = Reviews.MAPPER.readTree(Reviews.patch(result));
            assertThat(patch.size()).isPositive();
            JsonNode patched = JsonPatch.apply(patch, Reviews.MAPPER.readTree(s.pod()));
            for (String list : List.of("initContainers", "containers")) {
                for (JsonNode container : patched.get("spec").path(list)) {
                    Set<String> names = new HashSet<>();
                    for (JsonNode env : container.path("env")) {
                        assertThat(names.add(env.get("name").asString())).as("duplicate env in " + container)
                                .isTrue();
                    }
                }
            }
            assertThat(handler.handle(Reviews.review(patched.toString())).outcome()).isEqualTo(Outcome.UNCHANGED);
        });
        // Guards the generators: each kind of answer must actually occur.
        assertThat(outcomes.getOrDefault(Outcome.PATCHED, 0)).as("patched, in %s", outcomes).isGreaterThan(100);
        assertThat(outcomes.getOrDefault(Outcome.DENIED, 0)).as("denied, in %s", outcomes).isGreaterThan(100);
        assertThat(outcomes.getOrDefault(Outcome.SKIPPED, 0)).as("skipped, in %s", outcomes).isGreaterThan(50);
        assertThat(outcomes.getOrDefault(Outcome.UNCHANGED, 0)).as("unchanged, in %s", outcomes).isGreaterThan(10);
    }

    /** A configuration (as its device-config YAML, for a readable failure) and a pod as JSON. */
    record Sample(String deviceConfigYaml, boolean force, AllocationEncoding encoding, String pod) {
        MutatorConfig config() {
            return Reviews.config(deviceConfigYaml, force, encoding);
        }
    }

    private static Sample sample(Random r) {
        String yaml = "nvidia:\n  overwriteEnv: " + r.nextBoolean()
                + "\n  gpuCorePolicy: " + Generators.pick(r, "default", "force", "disable")
                + "\n  runtimeClassName: " + Generators.pick(r, "\"\"", "nvidia")
                + "\n  defaultGPUNum: " + Generators.pick(r, 0, 1, 2)
                + "\n  defaultMemory: " + Generators.pick(r, 0, 1024) + "\n";
        boolean force = r.nextInt(5) > 0;
        return new Sample(yaml, force, Generators.pick(r, AllocationEncoding.values()), pod(r));
    }

    private static String pod(Random r) {
        List<ObjectNode> regular = Generators.listOf(r, 0, 3, rc -> container(rc, false));
        List<ObjectNode> init = Generators.listOf(r, 0, 2, rc -> container(rc, true));
        String schedulerName = Generators.pick(r, "", "default-scheduler", "default-scheduler", "hami-scheduler",
                "hami-scheduler", "volcano");
        String node = r.nextInt(8) == 0 ? "node-1" : "";
        String gpuPolicy = Generators.pick(r, "", "", "", "", "binpack", "spread", "topology-aware", "bogus");

        ObjectNode pod = Reviews.MAPPER.createObjectNode();
        pod.put("apiVersion", "v1");
        pod.put("kind", "Pod");
        ObjectNode metadata = pod.putObject("metadata");
        metadata.put("name", "p");
        if (!gpuPolicy.isEmpty()) {
            metadata.putObject("annotations").put("hami.io/gpu-scheduler-policy", gpuPolicy);
        }
        ObjectNode spec = pod.putObject("spec");
        if (!schedulerName.isEmpty()) {
            spec.put("schedulerName", schedulerName);
        }
        if (!node.isEmpty()) {
            spec.put("nodeName", node);
        }
        if (!init.isEmpty()) {
            name(spec.putArray("initContainers"), init, "init");
        }
        name(spec.putArray("containers"), regular, "c");
        return pod.toString();
    }

    private static void name(ArrayNode array, List<ObjectNode> containers, String prefix) {
        for (int i = 0; i < containers.size(); i++) {
            array.add(containers.get(i).put("name", prefix + i));
        }
    }

    /** A container with some GPU resources in limits and requests (one value in 16 invalid), and some env. */
    private static ObjectNode container(Random r, boolean init) {
        List<String> limits = Generators.subset(r, RESOURCES, 4);
        List<String> requests = Generators.subset(r, RESOURCES, 2);
        List<String> values = RESOURCES.stream().map(resource -> r.nextInt(16) == 0 ? Generators.pick(r, INVALID)
                : Generators.pick(r, VALID.get(RESOURCES.indexOf(resource)))).toList();
        List<String> envNames = Generators.subset(r, ENV_NAMES, 2);
        int shape = r.nextInt(13) == 0 ? Generators.pick(r, 1, 3, 5, 7) : Generators.pick(r, 0, 2, 4, 6);

        ObjectNode container = Reviews.MAPPER.createObjectNode();
        container.put("image", "i");
        if ((shape & PRIVILEGED) != 0) {
            container.putObject("securityContext").put("privileged", true);
        }
        if ((shape & SIDECAR) != 0 && init) {
            container.put("restartPolicy", "Always");
        }
        if (!limits.isEmpty() || !requests.isEmpty() || (shape & EMPTY_BLOCKS) != 0) {
            ObjectNode resources = container.putObject("resources");
            if (!limits.isEmpty()) {
                ObjectNode node = resources.putObject("limits");
                limits.forEach(key -> node.put(key, values.get(RESOURCES.indexOf(key))));
            }
            if (!requests.isEmpty()) {
                ObjectNode node = resources.putObject("requests");
                requests.forEach(key -> node.put(key, values.get(RESOURCES.indexOf(key))));
            }
        }
        if (!envNames.isEmpty() || (shape & EMPTY_BLOCKS) != 0) {
            ArrayNode array = container.putArray("env");
            envNames.forEach(name -> array.addObject().put("name", name).put("value", "x"));
        }
        return container;
    }
}
