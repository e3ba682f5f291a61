package dev.gpushare.placement;

import static dev.gpushare.placement.GpuPolicy.BINPACK;
import static dev.gpushare.placement.GpuPolicy.MUTEX;
import static dev.gpushare.placement.GpuPolicy.NUMA;
import static dev.gpushare.placement.GpuPolicy.SPREAD;
import static dev.gpushare.placement.GpuPolicy.TOPOLOGY_AWARE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.gpushare.common.annotation.MalformedAnnotationException;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code hami.io/gpu-scheduler-policy} and {@code hami.io/node-scheduler-policy} as read by their one parser. */
class GpuPoliciesTest {

    static Stream<Arguments> valid() {
        return Stream.of(
                arguments("binpack", List.of(BINPACK), false),
                arguments(" spread ", List.of(SPREAD), false),
                arguments("topology-aware", List.of(TOPOLOGY_AWARE), false),
                arguments("mutex", List.of(MUTEX), false),
                arguments("numa", List.of(NUMA), false),
                arguments("binpack,numa", List.of(BINPACK, NUMA), true),
                arguments("mutex, spread, numa", List.of(MUTEX, SPREAD, NUMA), true),
                arguments("numa,binpack,numa", List.of(NUMA, BINPACK), true),
                arguments("topology-aware,mutex", List.of(TOPOLOGY_AWARE, MUTEX), true),
                arguments("binpack,spread", List.of(BINPACK, SPREAD), true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void valid(String value, List<GpuPolicy> policies, boolean combined) throws Exception {
        assertThat(GpuPolicies.parse(value)).isEqualTo(new GpuPolicies(policies, combined));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "bin-pack|\"bin-pack\" is not one of binpack, spread, topology-aware, mutex, numa",
        "Binpack|\"Binpack\" is not one of binpack, spread, topology-aware, mutex, numa",
        "''|\"\" is not one of binpack, spread, topology-aware, mutex, numa",
        "binpack,topology|\"binpack,topology\": entry \"topology\" is not one of binpack, spread, topology-aware,"
                + " mutex, numa",
        "binpack;numa|\"binpack;numa\" is not one of binpack, spread, topology-aware, mutex, numa",
        "binpack,|\"binpack,\": empty entry in the comma list",
        "',binpack'|\",binpack\": empty entry in the comma list",
        "binpack, ,numa|\"binpack, ,numa\": empty entry in the comma list",
        "','|\",\": empty entry in the comma list",
    })
    void invalidNamesTheAnnotationAndTheEntry(String value, String problem) {
        assertThatThrownBy(() -> GpuPolicies.parse(value)).isInstanceOf(MalformedAnnotationException.class)
                .hasMessage("annotation hami.io/gpu-scheduler-policy: " + problem);
    }

    /** HAMi v2.10's {@code DeviceUsageList.Less}: which order each value gives, with and without numa-bind. */
    static Stream<Arguments> orders() {
        return Stream.of(
                arguments("binpack", false, GpuOrder.NumaThenScore.BINPACK),
                arguments("binpack", true, GpuOrder.NumaThenScore.BINPACK),
                arguments("spread", false, GpuOrder.NumaThenScore.SPREAD),
                arguments("topology-aware", false, GpuOrder.NumaThenScore.SPREAD),
                arguments("mutex", true, GpuOrder.LeastUsed.INSTANCE),
                arguments("numa", false, new GpuOrder.Chain(List.of(NUMA))),
                arguments("binpack,numa", false, new GpuOrder.Chain(List.of(BINPACK, NUMA))),
                arguments("binpack,numa", true, new GpuOrder.Chain(List.of(NUMA, BINPACK))),
                arguments("spread,binpack", true, new GpuOrder.Chain(List.of(NUMA, SPREAD, BINPACK))),
                arguments("numa,spread", true, new GpuOrder.Chain(List.of(NUMA, SPREAD))),
                arguments("mutex,binpack", false, new GpuOrder.Chain(List.of(BINPACK))),
                arguments("mutex,topology-aware", false, new GpuOrder.Chain(List.of(SPREAD))),
                arguments("mutex,topology-aware", true, new GpuOrder.Chain(List.of(NUMA, SPREAD))));
    }

    @ParameterizedTest(name = "{0} numa-bind={1}")
    @MethodSource
    void orders(String value, boolean numaBind, GpuOrder order) throws Exception {
        assertThat(GpuPolicies.parse(value).order(numaBind)).isEqualTo(order);
    }

    @Test
    void filtersAreFoundAnywhereInTheList() throws Exception {
        assertThat(GpuPolicies.parse("spread, mutex").has(MUTEX)).isTrue();
        assertThat(GpuPolicies.parse("binpack,topology-aware").has(TOPOLOGY_AWARE)).isTrue();
        assertThat(GpuPolicies.parse("binpack,numa").has(MUTEX)).isFalse();
        assertThat(GpuPolicies.of(SPREAD).has(TOPOLOGY_AWARE)).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {"binpack|BINPACK", " spread|SPREAD"})
    void nodePolicyIsOneValue(String value, NodePolicy policy) throws Exception {
        assertThat(NodePolicy.parse(value)).isEqualTo(policy);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {"binpack,spread", "Spread", "''", "numa"})
    void nodePolicyListsAreRefused(String value) {
        assertThatThrownBy(() -> NodePolicy.parse(value)).isInstanceOf(MalformedAnnotationException.class)
                .hasMessage("annotation hami.io/node-scheduler-policy: \"" + value + "\" is not one of binpack,"
                        + " spread");
    }

    @Test
    void aLongValueIsCutInTheMessage() {
        String value = "binpack," + "x".repeat(10_000);
        assertThatThrownBy(() -> GpuPolicies.parse(value)).hasMessageContaining("... (10008 chars)")
                .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(400));
    }
}
