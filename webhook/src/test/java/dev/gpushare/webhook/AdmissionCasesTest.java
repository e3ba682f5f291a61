package dev.gpushare.webhook;

import static dev.gpushare.webhook.Reviews.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalLong;
import java.util.stream.Stream;

import dev.gpushare.common.annotation.AllocationEncoding;
import dev.gpushare.webhook.AdmissionResult.Outcome;
import io.fabric8.zjsonpatch.JsonPatch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * Every mutation and denial of the webhook, as a table: pod in, exact JSON Patch (or denial message) out. Each patch
 * is also applied with an independent RFC 6902 implementation, and the patched pod must then pass unchanged.
 */
class AdmissionCasesTest {

    private static final MutatorConfig DEFAULTS = Reviews.defaultConfig();
    private static final MutatorConfig NO_FORCE = Reviews.config("", false, AllocationEncoding.V2_8);
    private static final MutatorConfig V2_9 = Reviews.config("", true, AllocationEncoding.V2_9);
    private static final MutatorConfig OVERWRITE_ENV = Reviews.config("nvidia:\n  overwriteEnv: true\n", true,
            AllocationEncoding.V2_8);
    private static final MutatorConfig CORE_POLICY_FORCE = Reviews.config("nvidia:\n  gpuCorePolicy: force\n", true,
            AllocationEncoding.V2_8);
    private static final MutatorConfig RUNTIME_CLASS = Reviews.config("nvidia:\n  runtimeClassName: nvidia\n", true,
            AllocationEncoding.V2_8);
    private static final MutatorConfig TWO_GPUS_DEFAULT = Reviews.config("nvidia:\n  defaultGPUNum: 2\n", true,
            AllocationEncoding.V2_8);
    private static final MutatorConfig NO_GPU_DEFAULT = Reviews.config("nvidia:\n  defaultGPUNum: 0\n", true,
            AllocationEncoding.V2_8);
    private static final MutatorConfig DEFAULT_MEMORY = Reviews.config("nvidia:\n  defaultMemory: 1024\n", true,
            AllocationEncoding.V2_8);

    /** Namespace {@code ns} may still use 5000 MiB and 50 % cores. */
    private static final QuotaLookup QUOTA = namespace -> "ns".equals(namespace)
            ? new QuotaHeadroom.Known(OptionalLong.of(5000), OptionalLong.of(50)) : QuotaHeadroom.UNLIMITED;

    private static final String DS = "'schedulerName':'default-scheduler',";
    private static final String SCHED = "{'op':'replace','path':'/spec/schedulerName','value':'hami-scheduler'}";
    private static final String CORES_0 =
            "{'op':'add','path':'/spec/containers/0/resources/limits/nvidia.com~1gpucores','value':'100'}";
    private static final String GPU_0 =
            "{'op':'add','path':'/spec/containers/0/resources/limits/nvidia.com~1gpu','value':'1'}";

    record Case(String name, MutatorConfig config, QuotaLookup quota, String pod, Outcome outcome, String expected) {

        @Override
        public String toString() {
            return name;
        }
    }

    private static Case patched(String name, MutatorConfig config, String pod, String patch) {
        return new Case(name, config, QuotaLookup.UNLIMITED, pod, Outcome.PATCHED, json("[" + patch + "]"));
    }

    private static Case denied(String name, MutatorConfig config, String pod, String message) {
        return new Case(name, config, QuotaLookup.UNLIMITED, pod, Outcome.DENIED, message);
    }

    private static String pod(String specFields, String... containers) {
        return json("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p','namespace':'ns'},'spec':{" + specFields
                + "'containers':[" + String.join(",", containers) + "]}}");
    }

    private static String limits(String name, String limits) {
        return "{'name':'" + name + "','image':'i','resources':{'limits':{" + limits + "}}}";
    }

    private static final String WHOLE_GPU = limits("c", "'nvidia.com/gpu':'1'");
    private static final String PLAIN = "{'name':'side','image':'i'}";

    static Stream<Case> cases() {
        return Stream.of(
                // Resource defaulting (spec 7.2 steps 3-4).
                patched("whole GPU gets gpucores 100 and our scheduler", DEFAULTS, pod(DS, WHOLE_GPU),
                        CORES_0 + "," + SCHED),
                patched("gpumem given: shares cores", DEFAULTS,
                        pod(DS, limits("c", "'nvidia.com/gpu':'1','nvidia.com/gpumem':'3k'")), SCHED),
                patched("percentage 100 is whole memory: gpucores 100", DEFAULTS,
                        pod(DS, limits("c", "'nvidia.com/gpu':'1','nvidia.com/gpumem-percentage':'100'")),
                        CORES_0 + "," + SCHED),
                patched("percentage 50 shares cores", DEFAULTS,
                        pod(DS, limits("c", "'nvidia.com/gpu':'1','nvidia.com/gpumem-percentage':'50'")), SCHED),
                patched("only gpumem: nvidia.com/gpu defaulted", DEFAULTS,
                        pod(DS, limits("c", "'nvidia.com/gpumem':'2000'")), GPU_0 + "," + SCHED),
                patched("only gpucores: nvidia.com/gpu defaulted, cores kept", DEFAULTS,
                        pod(DS, limits("c", "'nvidia.com/gpucores':'30'")), GPU_0 + "," + SCHED),
                patched("only percentage 100: count and cores defaulted", DEFAULTS,
                        pod(DS, limits("c", "'nvidia.com/gpumem-percentage':'100'")),
                        GPU_0 + ",{'op':'add','path':'/spec/containers/0/resources/limits/nvidia.com~1gpucores',"
                                + "'value':'100'}," + SCHED),
                patched("defaultGPUNum 2 is the defaulted count", TWO_GPUS_DEFAULT,
                        pod(DS, limits("c", "'nvidia.com/gpumem':'2000'")),
                        "{'op':'add','path':'/spec/containers/0/resources/limits/nvidia.com~1gpu','value':'2'},"
                                + SCHED),
                new Case("defaultGPUNum 0: a gpumem-only container is no GPU container", NO_GPU_DEFAULT,
                        QuotaLookup.UNLIMITED, pod(DS, limits("c", "'nvidia.com/gpumem':'2000'")),
                        Outcome.UNCHANGED, null),
                patched("defaultMemory makes it a partial request: cores shared", DEFAULT_MEMORY,
                        pod(DS, WHOLE_GPU), SCHED),
                patched("count only in requests: the limits object is created", DEFAULTS,
                        pod(DS, "{'name':'c','image':'i','resources':{'requests':{'nvidia.com/gpu':'1'}}}"),
                        "{'op':'add','path':'/spec/containers/0/resources/limits',"
                                + "'value':{'nvidia.com/gpucores':'100'}}," + SCHED),

                // Scheduler-name gate (v2.9+ semantics).
                patched("no schedulerName: added", DEFAULTS, pod("", WHOLE_GPU),
                        CORES_0 + ",{'op':'add','path':'/spec/schedulerName','value':'hami-scheduler'}"),
                patched("pod naming our scheduler is processed", DEFAULTS,
                        pod("'schedulerName':'hami-scheduler',", WHOLE_GPU), CORES_0),
                patched("without force, a pod naming our scheduler is still processed", NO_FORCE,
                        pod("'schedulerName':'hami-scheduler',", WHOLE_GPU), CORES_0),
                new Case("without force, default-scheduler pods are left alone", NO_FORCE, QuotaLookup.UNLIMITED,
                        pod(DS, WHOLE_GPU), Outcome.SKIPPED,
                        "pod already has different scheduler assigned: default-scheduler"),
                new Case("another scheduler's pod is left alone, even with invalid values", DEFAULTS,
                        QuotaLookup.UNLIMITED, pod("'schedulerName':'volcano',",
                        limits("c", "'nvidia.com/gpu':'1','nvidia.com/gpucores':'150'")), Outcome.SKIPPED,
                        "pod already has different scheduler assigned: volcano"),
                new Case("a pod without GPUs needs nothing", DEFAULTS, QuotaLookup.UNLIMITED,
                        pod(DS, limits("c", "'cpu':'1'")), Outcome.UNCHANGED, null),

                // Environment.
                patched("priority becomes CUDA_TASK_PRIORITY; env array created", DEFAULTS,
                        pod(DS, limits("c", "'nvidia.com/gpu':'1','nvidia.com/gpumem':'1000','nvidia.com/priority':'1'")),
                        "{'op':'add','path':'/spec/containers/0/env',"
                                + "'value':[{'name':'CUDA_TASK_PRIORITY','value':'1'}]}," + SCHED),
                patched("priority appended to an existing env", DEFAULTS,
                        pod(DS, "{'name':'c','image':'i','env':[{'name':'A','value':'b'}],'resources':{'limits':"
                                + "{'nvidia.com/gpu':'1','nvidia.com/gpumem':'1000','nvidia.com/priority':'0'}}}"),
                        "{'op':'add','path':'/spec/containers/0/env/-',"
                                + "'value':{'name':'CUDA_TASK_PRIORITY','value':'0'}}," + SCHED),
                patched("a variable the container defines is never added twice", DEFAULTS,
                        pod(DS, "{'name':'c','image':'i','env':[{'name':'CUDA_TASK_PRIORITY','value':'1'}],"
                                + "'resources':{'limits':{'nvidia.com/gpu':'1','nvidia.com/gpumem':'1000',"
                                + "'nvidia.com/priority':'0'}}}"), SCHED),
                patched("GPU_CORE_UTILIZATION_POLICY on GPU containers only", CORE_POLICY_FORCE,
                        pod(DS, WHOLE_GPU, PLAIN),
                        CORES_0 + ",{'op':'add','path':'/spec/containers/0/env',"
                                + "'value':[{'name':'GPU_CORE_UTILIZATION_POLICY','value':'force'}]}," + SCHED),
                patched("overwriteEnv hides GPUs from non-GPU containers", OVERWRITE_ENV,
                        pod(DS, WHOLE_GPU, "{'name':'side','image':'i','env':[{'name':'A','value':'b'}]}"),
                        CORES_0 + ",{'op':'add','path':'/spec/containers/1/env/-',"
                                + "'value':{'name':'NVIDIA_VISIBLE_DEVICES','value':'none'}}," + SCHED),
                patched("overwriteEnv on a pod without GPUs: env only, scheduler untouched", OVERWRITE_ENV,
                        pod(DS, PLAIN), "{'op':'add','path':'/spec/containers/0/env',"
                                + "'value':[{'name':'NVIDIA_VISIBLE_DEVICES','value':'none'}]}"),
                new Case("overwriteEnv respects a container's own NVIDIA_VISIBLE_DEVICES", OVERWRITE_ENV,
                        QuotaLookup.UNLIMITED, pod(DS,
                        "{'name':'c','image':'i','env':[{'name':'NVIDIA_VISIBLE_DEVICES','value':'all'}]}"),
                        Outcome.UNCHANGED, null),
                new Case("overwriteEnv leaves another scheduler's pod alone", OVERWRITE_ENV, QuotaLookup.UNLIMITED,
                        pod("'schedulerName':'volcano',", PLAIN), Outcome.SKIPPED,
                        "pod already has different scheduler assigned: volcano"),
                patched("privileged non-GPU containers are left untouched", OVERWRITE_ENV,
                        pod(DS, WHOLE_GPU, "{'name':'p','image':'i','securityContext':{'privileged':true}}"),
                        CORES_0 + "," + SCHED),

                // runtimeClassName.
                patched("runtimeClassName set on GPU pods", RUNTIME_CLASS, pod(DS, WHOLE_GPU),
                        CORES_0 + ",{'op':'add','path':'/spec/runtimeClassName','value':'nvidia'}," + SCHED),
                patched("a pod's own runtimeClassName is kept", RUNTIME_CLASS,
                        pod(DS + "'runtimeClassName':'custom',", WHOLE_GPU), CORES_0 + "," + SCHED),
                new Case("no runtimeClassName for pods without GPUs", RUNTIME_CLASS, QuotaLookup.UNLIMITED,
                        pod(DS, PLAIN), Outcome.UNCHANGED, null),

                // Init containers and native sidecars.
                patched("v2.9: GPU init container mutated like a container", V2_9,
                        pod(DS + "'initContainers':[" + limits("init", "'nvidia.com/gpu':'1'") + "],", PLAIN),
                        "{'op':'add','path':'/spec/initContainers/0/resources/limits/nvidia.com~1gpucores',"
                                + "'value':'100'}," + SCHED),
                patched("v2.9: native sidecar with gpumem gets its count", V2_9,
                        pod(DS + "'initContainers':[{'name':'sidecar','image':'i','restartPolicy':'Always',"
                                + "'resources':{'limits':{'nvidia.com/gpumem':'1000'}}}],", WHOLE_GPU),
                        "{'op':'add','path':'/spec/initContainers/0/resources/limits/nvidia.com~1gpu','value':'1'},"
                                + CORES_0 + "," + SCHED),
                patched("non-GPU init container gets NVIDIA_VISIBLE_DEVICES", OVERWRITE_ENV,
                        pod(DS + "'initContainers':[{'name':'init','image':'i'}],", WHOLE_GPU),
                        "{'op':'add','path':'/spec/initContainers/0/env',"
                                + "'value':[{'name':'NVIDIA_VISIBLE_DEVICES','value':'none'}]}," + CORES_0 + ","
                                + SCHED),
                denied("v2.8: GPU init container refused with the way out", DEFAULTS,
                        pod(DS + "'initContainers':[" + limits("init", "'nvidia.com/gpu':'1'") + "],", PLAIN),
                        "init container init requests nvidia.com/gpu, but the allocation encoding is v2.8: a v2.8 "
                                + "device plugin maps allocation segments to regular containers only, so this init "
                                + "container would take a regular container's GPUs. Set "
                                + "hami.compat.allocation-encoding=v2.9 (needs a v2.9+ device plugin) to run GPU init "
                                + "containers and sidecars"),
                denied("v2.8: GPU native sidecar refused", DEFAULTS,
                        pod(DS + "'initContainers':[{'name':'sidecar','image':'i','restartPolicy':'Always',"
                                + "'resources':{'limits':{'nvidia.com/gpumem':'1000'}}}],", WHOLE_GPU),
                        "init container sidecar requests nvidia.com/gpu, but the allocation encoding is v2.8: a "
                                + "v2.8 device plugin maps allocation segments to regular containers only, so this "
                                + "init container would take a regular container's GPUs. Set "
                                + "hami.compat.allocation-encoding=v2.9 (needs a v2.9+ device plugin) to run GPU init "
                                + "containers and sidecars"),

                // Denials.
                denied("GPU pod with spec.nodeName", DEFAULTS, pod(DS + "'nodeName':'node-1',", WHOLE_GPU),
                        "pod has node assigned (spec.nodeName: node-1) but container c requests nvidia.com/gpu: GPU "
                                + "pods must be placed by hami-scheduler; use a nodeSelector or node affinity instead "
                                + "of spec.nodeName"),
                new Case("non-GPU pod with spec.nodeName is fine", DEFAULTS, QuotaLookup.UNLIMITED,
                        pod(DS + "'nodeName':'node-1',", PLAIN), Outcome.UNCHANGED, null),
                denied("privileged GPU container", DEFAULTS,
                        pod(DS, "{'name':'c','image':'i','securityContext':{'privileged':true},"
                                + "'resources':{'limits':{'nvidia.com/gpu':'1','nvidia.com/gpumem':'1000'}}}"),
                        "container c is privileged (securityContext.privileged: true) and requests GPU resources "
                                + "(nvidia.com/gpu, nvidia.com/gpumem): a privileged container sees every GPU of "
                                + "the node, so its share cannot be enforced"),
                denied("gpucores above 100", DEFAULTS,
                        pod(DS, limits("c", "'nvidia.com/gpu':'1','nvidia.com/gpucores':'150'")),
                        "container c: nvidia.com/gpucores: 150 is outside 0..100"),
                denied("percentage 0", DEFAULTS,
                        pod(DS, limits("c", "'nvidia.com/gpu':'1','nvidia.com/gpumem-percentage':'0'")),
                        "container c: nvidia.com/gpumem-percentage: 0 is outside 1..100"),
                denied("percentage 101", DEFAULTS,
                        pod(DS, limits("c", "'nvidia.com/gpu':'1','nvidia.com/gpumem-percentage':'101'")),
                        "container c: nvidia.com/gpumem-percentage: 101 is outside 1..100"),
                denied("gpumem with a fraction", DEFAULTS,
                        pod(DS, limits("c", "'nvidia.com/gpu':'1','nvidia.com/gpumem':'1.5'")),
                        "container c: nvidia.com/gpumem: 1.5 is not a whole number"),
                denied("gpumem with a binary suffix", DEFAULTS,
                        pod(DS, limits("c", "'nvidia.com/gpu':'1','nvidia.com/gpumem':'1Gi'")),
                        "container c: nvidia.com/gpumem: 1Gi uses a binary suffix; the value is a number of MiB "
                                + "(for 1 GiB write 1024)"),
                denied("negative gpu count", DEFAULTS, pod(DS, limits("c", "'nvidia.com/gpu':'-1'")),
                        "container c: nvidia.com/gpu: -1 is negative"),
                denied("negative gpumem in the second container", DEFAULTS,
                        pod(DS, WHOLE_GPU, limits("d", "'nvidia.com/gpu':'1','nvidia.com/gpumem':'-5'")),
                        "container d: nvidia.com/gpumem: -5 is negative"),
                denied("unknown node policy", DEFAULTS, podWithAnnotation("hami.io/node-scheduler-policy", "pack"),
                        "annotation hami.io/node-scheduler-policy: \"pack\" is not one of binpack, spread"),
                denied("unknown GPU policy", DEFAULTS, podWithAnnotation("hami.io/gpu-scheduler-policy", "pack"),
                        "annotation hami.io/gpu-scheduler-policy: \"pack\" is not one of binpack, spread, "
                                + "topology-aware, mutex, numa"),
                denied("unknown entry in a GPU policy list", DEFAULTS,
                        podWithAnnotation("hami.io/gpu-scheduler-policy", "binpack,topology"),
                        "annotation hami.io/gpu-scheduler-policy: \"binpack,topology\": entry \"topology\" is not"
                                + " one of binpack, spread, topology-aware, mutex, numa"),
                denied("empty entry in a GPU policy list", DEFAULTS,
                        podWithAnnotation("hami.io/gpu-scheduler-policy", "binpack,"),
                        "annotation hami.io/gpu-scheduler-policy: \"binpack,\": empty entry in the comma list"),
                patched("combined GPU policies", DEFAULTS,
                        podWithAnnotation("hami.io/gpu-scheduler-policy", "mutex, binpack,numa"),
                        CORES_0 + "," + SCHED),
                denied("scoring weights without memory", DEFAULTS,
                        podWithAnnotation("hami.io/device-scoring-weights", "slot=1,core=2"),
                        "annotation hami.io/device-scoring-weights: \"slot=1,core=2\": expected slot, core and"
                                + " memory weights"),
                denied("scoring weights all zero", DEFAULTS,
                        podWithAnnotation("hami.io/device-scoring-weights", "slot=0,core=0,memory=0"),
                        "annotation hami.io/device-scoring-weights: \"slot=0,core=0,memory=0\": at least one"
                                + " weight must be positive"),
                patched("valid scoring weights", DEFAULTS,
                        podWithAnnotation("hami.io/device-scoring-weights", "slot=1,core=1,memory=3"),
                        CORES_0 + "," + SCHED),
                patched("valid GPU policy", DEFAULTS,
                        podWithAnnotation("hami.io/gpu-scheduler-policy", "topology-aware"), CORES_0 + "," + SCHED),
                denied("pod without containers", DEFAULTS, pod(DS), "pod has no containers"),
                denied("pod without spec", DEFAULTS, json("{'kind':'Pod','metadata':{'name':'p'}}"),
                        "pod has no containers"),
                new Case("without force, a pod with no scheduler name counts as default-scheduler's", NO_FORCE,
                        QuotaLookup.UNLIMITED, pod("", WHOLE_GPU), Outcome.SKIPPED,
                        "pod already has different scheduler assigned: default-scheduler"),

                // Namespace quota: 5000 MiB and 50 % cores left in ns.
                new Case("memory beyond the namespace quota", DEFAULTS, QUOTA,
                        pod(DS, limits("c", "'nvidia.com/gpu':'2','nvidia.com/gpumem':'3000'")), Outcome.DENIED,
                        "exceeding resource quota: pod requests 6000 MiB of nvidia.com/gpumem in total, namespace "
                                + "ns has 5000 MiB left under limits.nvidia.com/gpumem"),
                new Case("defaulted cores beyond the namespace quota", DEFAULTS, QUOTA, pod(DS, WHOLE_GPU),
                        Outcome.DENIED, "exceeding resource quota: pod requests 100 of nvidia.com/gpucores in "
                        + "total, namespace ns has 50 left under limits.nvidia.com/gpucores"),
                new Case("within the namespace quota", DEFAULTS, QUOTA,
                        pod(DS, limits("c", "'nvidia.com/gpu':'1','nvidia.com/gpumem':'5000',"
                                + "'nvidia.com/gpucores':'50'")), Outcome.PATCHED, json("[" + SCHED + "]")));
    }

    private static String podWithAnnotation(String key, String value) {
        return json("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p','annotations':{'" + key + "':'" + value
                + "'}},'spec':{" + DS + "'containers':[" + WHOLE_GPU + "]}}");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void admission(Case c) {
        AdmissionReviewHandler handler = new AdmissionReviewHandler(new PodMutator(c.config(), c.quota()));

        AdmissionResult result = handler.handle(Reviews.review(c.pod()));

        assertThat(result.httpStatus()).isEqualTo(200);
        assertThat(result.outcome()).isEqualTo(c.outcome());
        JsonNode response = Reviews.response(result);
        assertThat(response.get("uid").asString()).isEqualTo(Reviews.UID);
        switch (c.outcome()) {
            case PATCHED -> {
                assertThat(response.get("allowed").asBoolean()).isTrue();
                assertThat(response.get("patchType").asString()).isEqualTo("JSONPatch");
                assertThat(Reviews.patch(result)).isEqualTo(c.expected());
                assertPatchAppliesAndSettles(c, handler, Reviews.patch(result));
            }
            case UNCHANGED -> {
                assertThat(response.get("allowed").asBoolean()).isTrue();
                assertThat(response.has("patch")).isFalse();
                assertThat(response.has("patchType")).isFalse();
            }
            case SKIPPED -> {
                assertThat(response.get("allowed").asBoolean()).isTrue();
                assertThat(response.has("patch")).isFalse();
                assertThat(response.get("status").get("message").asString()).isEqualTo(c.expected());
            }
            case DENIED -> {
                assertThat(response.get("allowed").asBoolean()).isFalse();
                assertThat(response.has("patch")).isFalse();
                assertThat(response.get("status").get("code").asInt()).isEqualTo(403);
                assertThat(response.get("status").get("reason").asString()).isEqualTo("Forbidden");
                assertThat(response.get("status").get("message").asString()).isEqualTo(c.expected());
                assertThat(result.message()).contains(c.expected());
            }
            default -> throw new AssertionError("no such case outcome " + c.outcome());
        }
    }

    /** The patch applies to the pod as sent, and the patched pod needs nothing more. */
    private static void assertPatchAppliesAndSettles(Case c, AdmissionReviewHandler handler, String patch) {
        JsonNode patched = JsonPatch.apply(Reviews.MAPPER.readTree(patch), Reviews.MAPPER.readTree(c.pod()));

        AdmissionResult again = handler.handle(Reviews.review(patched.toString()));

        assertThat(again.outcome()).as("re-admitting the patched pod").isEqualTo(Outcome.UNCHANGED);
    }
}
