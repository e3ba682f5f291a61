package dev.gpushare.common.request;

import dev.gpushare.common.config.DeviceConfig;
import dev.gpushare.common.config.NvidiaConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import static dev.gpushare.common.request.ContainerRequest.PERCENTAGE_NOT_GIVEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import dev.gpushare.testkit.KubeFixtures;

class PodRequestParserTest {

    static final String GPU = "nvidia.com/gpu";
    static final String MEM = "nvidia.com/gpumem";
    static final String PCT = "nvidia.com/gpumem-percentage";
    static final String CORES = "nvidia.com/gpucores";
    static final String PRIORITY = "nvidia.com/priority";

    private final PodRequestParser parser = new PodRequestParser(DeviceConfig.defaults());

    static Pod fixturePod(String name) throws IOException {
        JsonMapper mapper = JsonMapper.builder().build();
        JsonNode args = mapper.readTree(KubeFixtures.bytes(name));
        return mapper.treeToValue(args.get("Pod"), Pod.class);
    }

    static Container container(String name, Map<String, String> limits, Map<String, String> requests) {
        return new ContainerBuilder().withName(name).withNewResources()
                .withLimits(quantities(limits)).withRequests(quantities(requests)).endResources().build();
    }

    static Container limits(String name, String... keyValues) {
        Map<String, String> limits = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            limits.put(keyValues[i], keyValues[i + 1]);
        }
        return container(name, limits, Map.of());
    }

    static Map<String, Quantity> quantities(Map<String, String> values) {
        Map<String, Quantity> q = new LinkedHashMap<>();
        values.forEach((k, v) -> q.put(k, new Quantity(v)));
        return q;
    }

    static Pod pod(Container... containers) {
        return new PodBuilder().withNewMetadata().withName("p").withNamespace("ns").endMetadata()
                .withNewSpec().withContainers(containers).endSpec().build();
    }

    ContainerRequest only(Container c) throws InvalidRequestException {
        return parser.parse(pod(c)).containers().get(0);
    }

    @Test
    void filter1FixtureAsksOneGpuWith3000MibAnd30PercentCores() throws Exception {
        PodRequest request = parser.parse(fixturePod("filter-1.json"));

        assertThat(request.initContainers()).isEmpty();
        assertThat(request.containers()).containsExactly(
                new ContainerRequest("c", false, 1, 3000, PERCENTAGE_NOT_GIVEN, 30, -1));
        assertThat(request.requestsAnyGpu()).isTrue();
    }

    @Test
    void filter2FixtureAsksOneWholeGpuMemoryWithDefaultCores() throws Exception {
        PodRequest request = parser.parse(fixturePod("filter-2.json"));

        assertThat(request.containers()).containsExactly(new ContainerRequest("c", false, 1, 0, 100, 0, -1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"3000", "3k", "3e3", "3E3", "3000000m", "3000.000", "0.003M", "+3k", "30e2"})
    void readsEveryCanonicalFormOfTheSameMemory(String gpumem) throws Exception {
        assertThat(only(limits("c", GPU, "1", MEM, gpumem)).memreq()).isEqualTo(3000);
    }

    @Test
    void readsLargeWholeValuesExactly() throws Exception {
        assertThat(only(limits("c", GPU, "1", MEM, "2147483647")).memreq()).isEqualTo(Integer.MAX_VALUE);
        assertThat(only(limits("c", GPU, "2", MEM, "81920")).nums()).isEqualTo(2);
    }

    @Test
    void limitsWinOverRequestsPerResource() throws Exception {
        Container c = container("c", Map.of(GPU, "2", CORES, "50"), Map.of(GPU, "1", MEM, "4000", CORES, "20"));

        assertThat(only(c)).isEqualTo(new ContainerRequest("c", false, 2, 4000, PERCENTAGE_NOT_GIVEN, 50, -1));
    }

    @Test
    void requestsAloneAreRead() throws Exception {
        Container c = container("c", Map.of(), Map.of(GPU, "1", PCT, "50", PRIORITY, "1"));

        assertThat(only(c)).isEqualTo(new ContainerRequest("c", false, 1, 0, 50, 0, 1));
    }

    @Test
    void noMemoryAndNoPercentageMeansTheWholeCard() throws Exception {
        assertThat(only(limits("c", GPU, "1"))).isEqualTo(new ContainerRequest("c", false, 1, 0, 100, 0, -1));
    }

    @Test
    void defaultMemoryAppliesWhenNeitherIsGivenAndIsNotMultiplied() throws Exception {
        PodRequestParser custom = new PodRequestParser(withNvidia(2048, 25, 4));

        assertThat(custom.parse(pod(limits("c", GPU, "1"))).containers().get(0))
                .isEqualTo(new ContainerRequest("c", false, 1, 2048, PERCENTAGE_NOT_GIVEN, 25, -1));
        assertThat(custom.parse(pod(limits("c", GPU, "1", MEM, "1000"))).containers().get(0).memreq())
                .isEqualTo(4000);
        assertThat(custom.parse(pod(limits("c", GPU, "1", PCT, "40"))).containers().get(0))
                .isEqualTo(new ContainerRequest("c", false, 1, 0, 40, 25, -1));
    }

    @Test
    void memoryFactorOverflowIsRefused() {
        PodRequestParser custom = new PodRequestParser(withNvidia(0, 0, 1024));

        assertThatThrownBy(() -> custom.parse(pod(limits("c", GPU, "1", MEM, "4194304"))))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("container c: nvidia.com/gpumem: times memoryFactor 1024 exceeds 2147483647 MiB");
    }

    @Test
    void initContainersAndNativeSidecarsAreInitEntries() throws Exception {
        Container sidecar = new ContainerBuilder(limits("sidecar", GPU, "1", MEM, "1000")).withRestartPolicy("Always")
                .build();
        Pod pod = new PodBuilder(pod(limits("main", GPU, "1", MEM, "2000"), limits("log")))
                .editSpec().withInitContainers(limits("setup"), sidecar).endSpec().build();

        PodRequest request = parser.parse(pod);

        assertThat(request.initContainers()).extracting(ContainerRequest::containerName, ContainerRequest::init,
                        ContainerRequest::nums)
                .containsExactly(tuple("setup", true, 0),
                        tuple("sidecar", true, 1));
        assertThat(request.containers()).extracting(ContainerRequest::containerName, ContainerRequest::nums)
                .containsExactly(tuple("main", 1),
                        tuple("log", 0));
        assertThat(request.initContainers()).anyMatch(ContainerRequest::requestsGpu);
    }

    @Test
    void podWithoutGpuRequestsNothing() throws Exception {
        PodRequest request = parser.parse(pod(limits("c", "cpu", "1", GPU, "0")));

        assertThat(request.requestsAnyGpu()).isFalse();
        assertThat(parser.parse(new Pod()).requestsAnyGpu()).isFalse();
    }

    @Test
    void binarySuffixForMemoryIsRefusedNamingContainerAndResource() {
        assertThatThrownBy(() -> parser.parse(pod(limits("train", GPU, "1", MEM, "1Gi"))))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("container train: nvidia.com/gpumem: 1Gi uses a binary suffix; the value is a number of"
                        + " MiB (for 1 GiB write 1024)")
                .satisfies(e -> {
                    InvalidRequestException ire = (InvalidRequestException) e;
                    assertThat(ire.container()).isEqualTo("train");
                    assertThat(ire.resource()).isEqualTo(MEM);
                });
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "nvidia.com/gpumem|1.5|container c: nvidia.com/gpumem: 1.5 is not a whole number",
        "nvidia.com/gpumem|1500m|container c: nvidia.com/gpumem: 1500m is not a whole number",
        "nvidia.com/gpumem|-1|container c: nvidia.com/gpumem: -1 is negative",
        "nvidia.com/gpumem|3G|container c: nvidia.com/gpumem: 3G exceeds 2147483647",
        "nvidia.com/gpumem|1e999999999|container c: nvidia.com/gpumem: 1e999999999 exceeds 2147483647",
        "nvidia.com/gpumem|4Ki|container c: nvidia.com/gpumem: 4Ki uses a binary suffix; the value is a number of"
                + " MiB (for 1 GiB write 1024)",
        "nvidia.com/gpu|1.5|container c: nvidia.com/gpu: 1.5 is not a whole number",
        "nvidia.com/gpu|-1|container c: nvidia.com/gpu: -1 is negative",
        "nvidia.com/gpucores|101|container c: nvidia.com/gpucores: 101 is outside 0..100",
        "nvidia.com/gpucores|-5|container c: nvidia.com/gpucores: -5 is negative",
        "nvidia.com/gpumem-percentage|0|container c: nvidia.com/gpumem-percentage: 0 is outside 1..100",
        "nvidia.com/gpumem-percentage|101|container c: nvidia.com/gpumem-percentage: 101 is outside 1..100",
        "nvidia.com/priority|-1|container c: nvidia.com/priority: -1 is negative",
        "nvidia.com/priority|0.5|container c: nvidia.com/priority: 0.5 is not a whole number",
        "nvidia.com/gpumem|12abc|container c: nvidia.com/gpumem: \"12abc\" is not a quantity"
    })
    void refusesValuesHamiWouldMisreadNamingContainerAndResource(String resource, String value, String message) {
        Container c = resource.equals(GPU) ? limits("c", GPU, value) : limits("c", GPU, "1", resource, value);

        assertThatThrownBy(() -> parser.parse(pod(c))).isInstanceOf(InvalidRequestException.class)
                .hasMessage(message);
    }

    @Test
    void validatesContainersThatRequestNoGpuToo() {
        assertThatThrownBy(() -> parser.parse(pod(limits("main", GPU, "1"), limits("helper", CORES, "120"))))
                .hasMessage("container helper: nvidia.com/gpucores: 120 is outside 0..100");
    }

    @Test
    void invalidValueInLimitsIsNotHiddenByAValidRequest() {
        Container c = container("c", Map.of(GPU, "1", MEM, "1Gi"), Map.of(GPU, "1", MEM, "1024"));

        assertThatThrownBy(() -> parser.parse(pod(c))).hasMessageContaining("1Gi uses a binary suffix");
    }

    @Test
    void usesTheResourceNamesOfTheConfig() throws Exception {
        NvidiaConfig d = DeviceConfig.defaults().nvidia();
        DeviceConfig renamed = new DeviceConfig(new NvidiaConfig("example.com/vgpu", "example.com/vmem",
                "example.com/vmem-pct", "example.com/vcores", "example.com/prio", false, 0, 0, 1, 1, "default", "",
                d.knownMigGeometries(), d.migProfileAllowlist()), Map.of());

        ContainerRequest r = new PodRequestParser(renamed).parse(pod(limits("c", "example.com/vgpu", "2",
                "example.com/vmem", "100", "example.com/vcores", "10", GPU, "5"))).containers().get(0);

        assertThat(r).isEqualTo(new ContainerRequest("c", false, 2, 100, PERCENTAGE_NOT_GIVEN, 10, -1));
    }

    private static DeviceConfig withNvidia(int defaultMemory, int defaultCores, int memoryFactor) {
        NvidiaConfig d = DeviceConfig.defaults().nvidia();
        return new DeviceConfig(new NvidiaConfig(d.resourceCountName(), d.resourceMemoryName(),
                d.resourceMemoryPercentageName(), d.resourceCoreName(), d.resourcePriorityName(), d.overwriteEnv(),
                defaultMemory, defaultCores, d.defaultGPUNum(), memoryFactor, d.gpuCorePolicy(),
                d.runtimeClassName(), d.knownMigGeometries(), d.migProfileAllowlist()), Map.of());
    }

    @Test
    void fixtureQuantitiesKeepTheirCanonicalText() throws Exception {
        Pod pod = fixturePod("filter-1.json");

        assertThat(KubeQuantity.text(pod.getSpec().getContainers().get(0).getResources().getLimits().get(MEM)))
                .isEqualTo("3k");
        assertThat(KubeQuantity.parse("3k").orElseThrow().value()).isEqualByComparingTo("3000");
    }

    @Test
    void aQuantityTextBeyondTheLimitIsRefusedUnparsedAndOnlyAnExcerptIsEchoed() {
        String million = "9".repeat(1_000_000);

        assertThatThrownBy(() -> parser.parse(pod(limits("c", GPU, "1", MEM, million))))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("container c: nvidia.com/gpumem: \"" + "9".repeat(64)
                        + "... (1000000 chars)\" is not a quantity we read (longer than 40 characters)");
    }

    @Test
    void aQuantityOfFortyCharactersIsStillRead() throws Exception {
        String forty = "0".repeat(36) + "3000";

        assertThat(only(limits("c", GPU, "1", MEM, forty)).memreq()).isEqualTo(3000);
    }

    @Test
    void aContainerNameInAMessageIsEscapedAndCut() {
        String name = "evil\nWARN forged line " + "x".repeat(100);

        assertThatThrownBy(() -> parser.parse(pod(limits(name, GPU, "-1"))))
                .hasMessage("container evil\\nWARN forged line " + "x".repeat(41) + "... (122 chars): "
                        + "nvidia.com/gpu: -1 is negative");
    }
}
