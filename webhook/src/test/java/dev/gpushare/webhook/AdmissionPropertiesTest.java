package dev.gpushare.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import dev.gpushare.common.annotation.AllocationEncoding;
import dev.gpushare.webhook.AdmissionResult.Outcome;
import io.fabric8.zjsonpatch.JsonPatch;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Over random pods (valid and invalid values, init containers, sidecars, env, privileged containers, any scheduler
 * name) and random configurations: every answer is a well-formed AdmissionReview, and a patch always applies to the
 * pod as sent, yields no duplicate variable, and leaves a pod that needs no further change.
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

    @Property(tries = 400)
    void patchesApplyAndSettle(@ForAll("configs") MutatorConfig config, @ForAll("pods") String pod) {
        AdmissionReviewHandler handler = new AdmissionReviewHandler(new PodMutator(config, QuotaLookup.UNLIMITED));

        AdmissionResult result = handler.handle(Reviews.review(pod));

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
        JsonNode patched = JsonPatch.apply(patch, Reviews.MAPPER.readTree(pod));
        for (String list : List.of("initContainers", "containers")) {
            for (JsonNode container : patched.get("spec").path(list)) {
                Set<String> names = new HashSet<>();
                for (JsonNode env : container.path("env")) {
                    assertThat(names.add(env.get("name").asString())).as("duplicate env in " + container).isTrue();
                }
            }
        }
        assertThat(handler.handle(Reviews.review(patched.toString())).outcome()).isEqualTo(Outcome.UNCHANGED);
    }

    /** Guards the generators: each kind of answer must actually occur. */
    @Property(tries = 400)
    @StatisticsReport(onFailureOnly = true)
    void generatorsReachEveryOutcome(@ForAll("configs") MutatorConfig config, @ForAll("pods") String pod) {
        Outcome outcome = new AdmissionReviewHandler(new PodMutator(config, QuotaLookup.UNLIMITED))
                .handle(Reviews.review(pod)).outcome();
        Statistics.collect(outcome);
        Statistics.coverage(checker -> {
            checker.check(Outcome.PATCHED).percentage(p -> p > 10);
            checker.check(Outcome.DENIED).percentage(p -> p > 10);
            checker.check(Outcome.SKIPPED).percentage(p -> p > 5);
            checker.check(Outcome.UNCHANGED).percentage(p -> p > 1);
        });
    }

    @Provide
    Arbitrary<MutatorConfig> configs() {
        Arbitrary<String> yaml = Combinators.combine(
                Arbitraries.of(true, false), Arbitraries.of("default", "force", "disable"),
                Arbitraries.of("\"\"", "nvidia"), Arbitraries.of(0, 1, 2), Arbitraries.of(0, 1024))
                .as((overwriteEnv, policy, runtimeClass, gpuNum, memory) -> "nvidia:\n  overwriteEnv: " + overwriteEnv
                        + "\n  gpuCorePolicy: " + policy + "\n  runtimeClassName: " + runtimeClass
                        + "\n  defaultGPUNum: " + gpuNum + "\n  defaultMemory: " + memory + "\n");
        Arbitrary<Boolean> force = Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.just(true)),
                Tuple.of(1, Arbitraries.just(false)));
        return Combinators.combine(yaml, force, Arbitraries.of(AllocationEncoding.values()))
                .as(Reviews::config);
    }

    @Provide
    Arbitrary<String> pods() {
        Arbitrary<List<ObjectNode>> containers = container("c").list().ofMinSize(0).ofMaxSize(3);
        Arbitrary<List<ObjectNode>> initContainers = container("i").list().ofMaxSize(2);
        Arbitrary<String> scheduler = Arbitraries.of("", "default-scheduler", "default-scheduler", "hami-scheduler",
                "hami-scheduler", "volcano");
        Arbitrary<String> nodeName = Arbitraries.of("", "", "", "", "", "", "", "node-1");
        Arbitrary<String> policy = Arbitraries.of("", "", "", "", "binpack", "spread", "topology-aware", "bogus");
        return Combinators.combine(containers, initContainers, scheduler, nodeName, policy)
                .as((regular, init, schedulerName, node, gpuPolicy) -> {
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
                });
    }

    private static void name(ArrayNode array, List<ObjectNode> containers, String prefix) {
        for (int i = 0; i < containers.size(); i++) {
            array.add(containers.get(i).deepCopy().put("name", prefix + i));
        }
    }

    private Arbitrary<ObjectNode> container(String kind) {
        Arbitrary<List<String>> limitKeys = Arbitraries.of(RESOURCES).set().ofMaxSize(4).map(List::copyOf);
        Arbitrary<List<String>> requestKeys = Arbitraries.of(RESOURCES).set().ofMaxSize(2).map(List::copyOf);
        Arbitrary<List<String>> quantities = Combinators.combine(RESOURCES.stream().map(resource ->
                Arbitraries.frequencyOf(Tuple.of(15, Arbitraries.of(VALID.get(RESOURCES.indexOf(resource)))),
                        Tuple.of(1, Arbitraries.of(INVALID)))).toList()).as(List::copyOf);
        Arbitrary<List<String>> env = Arbitraries.of(ENV_NAMES).set().ofMaxSize(2).map(List::copyOf);
        Arbitrary<Integer> shape = Arbitraries.frequencyOf(Tuple.of(12, Arbitraries.of(0, 2, 4, 6)),
                Tuple.of(1, Arbitraries.of(1, 3, 5, 7)));
        return Combinators.combine(limitKeys, requestKeys, quantities, env, shape)
                .as((limits, requests, values, envNames, flags) -> {
                    ObjectNode container = Reviews.MAPPER.createObjectNode();
                    container.put("image", "i");
                    // Bit 0: privileged (rare), bit 1: native sidecar, bit 2: empty resources and env present.
                    if ((flags & 1) != 0) {
                        container.putObject("securityContext").put("privileged", true);
                    }
                    if ((flags & 2) != 0 && "i".equals(kind)) {
                        container.put("restartPolicy", "Always");
                    }
                    if (!limits.isEmpty() || !requests.isEmpty() || (flags & 4) != 0) {
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
                    if (!envNames.isEmpty() || (flags & 4) != 0) {
                        ArrayNode array = container.putArray("env");
                        envNames.forEach(name -> array.addObject().put("name", name).put("value", "x"));
                    }
                    return container;
                });
    }
}
