package dev.gpushare.placement;

import static dev.gpushare.placement.Fixtures.MIG_RULES;
import static dev.gpushare.placement.Fixtures.ctr;
import static dev.gpushare.placement.Fixtures.engine;
import static dev.gpushare.placement.Fixtures.migGpu;
import static dev.gpushare.placement.Fixtures.node;
import static dev.gpushare.placement.Fixtures.pod;
import static dev.gpushare.placement.Fixtures.reasonOf;
import static dev.gpushare.placement.Fixtures.request;
import static dev.gpushare.placement.Fixtures.used;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.gpushare.common.config.AllowedMigProfiles;
import dev.gpushare.common.device.ContainerDevice;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * HAMi v2.10's {@code migProfileAllowlist} on the A30 geometries of {@link Fixtures#MIG_RULES} (0: 4 x 1g.6gb,
 * 1: 2 x 2g.12gb, 2: 1 x 4g.24gb): new instances only of allowed profiles, matched by slice as HAMi's device plugin
 * matches them, the geometry and slot indexes unchanged.
 */
class MigProfileAllowlistTest {

    private static PlacementResult place(List<AllowedMigProfiles> allowlist, int memory, Fixtures.NodeBuilder node) {
        return engine().place(request(ctr(1, memory, 0)),
                List.of(node.build(new NodeSnapshotFactory(MIG_RULES, allowlist))));
    }

    private static AllowedMigProfiles entry(String model, String... profiles) {
        return new AllowedMigProfiles(List.of(model), List.of(profiles));
    }

    static Stream<Arguments> freeGpu() {
        return Stream.of(
                arguments("no allowlist", List.of(), 5000, "m[0-0]"),
                arguments("1g not allowed", List.of(entry("A30", "2g.12gb", "4g.24gb")), 5000, "m[1-0]"),
                arguments("only 4g", List.of(entry("A30", "4g.24gb")), 5000, "m[2-0]"),
                arguments("matched by slice, not memory", List.of(entry("A30", "2g.10gb")), 5000, "m[1-0]"),
                arguments("the first entry naming the model wins", List.of(entry("A3", "4g.24gb"),
                        entry("A30", "1g.6gb")), 5000, "m[2-0]"),
                arguments("every profile allowed", List.of(entry("A30", "1g.6gb", "2g.12gb", "4g.24gb")), 12000,
                        "m[1-0]"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void freeGpu(String name, List<AllowedMigProfiles> allowlist, int memory, String uuid) {
        PlacementResult result = place(allowlist, memory, node("n").gpus(migGpu("m")));

        assertThat(Fixtures.placed(result).allocation().devices()).extracting(ContainerDevice::uuid)
                .containsExactly(uuid);
    }

    @Test
    void noAllowedProfileBigEnoughIsCardNotFoundCustomFilterRule() {
        assertThat(reasonOf(place(List.of(entry("A30", "1g.6gb")), 12000, node("n").gpus(migGpu("m")))))
                .isEqualTo("1/1 CardNotFoundCustomFilterRule");
    }

    @Test
    void aModelNoEntryNamesTakesNoInstance() {
        assertThat(reasonOf(place(List.of(entry("A100", "1g.5gb")), 1000, node("n").gpus(migGpu("m")))))
                .isEqualTo("1/1 CardNotFoundCustomFilterRule");
    }

    @Test
    void runningInstancesOfAProfileNoLongerAllowedStillCountButNoneIsAdded() {
        Fixtures.NodeBuilder node = node("n").gpus(migGpu("m")).pods(pod(used("m[0-0]", 6144, 25)));
        NodeSnapshot snapshot = node.build(new NodeSnapshotFactory(MIG_RULES, List.of(entry("A30", "2g.12gb"))));

        assertThat(snapshot.gpus().get(0).healthy()).isTrue();
        assertThat(snapshot.gpus().get(0).mig().usedSlots()).containsExactly(0);
        assertThat(reasonOf(place(List.of(entry("A30", "2g.12gb")), 1000, node)))
                .isEqualTo("1/1 CardNotFoundCustomFilterRule");
        assertThat(Fixtures.placed(place(List.of(entry("A30", "1g.6gb")), 1000, node)).allocation().devices())
                .extracting(ContainerDevice::uuid).containsExactly("m[0-1]");
    }

    @Test
    void sliceOfAProfileIsThePartBeforeTheFirstDot() {
        assertThat(AllowedMigProfiles.sliceOf("1g.10gb")).isEqualTo("1g");
        assertThat(AllowedMigProfiles.sliceOf("1g.10gb+me")).isEqualTo("1g");
        assertThat(AllowedMigProfiles.sliceOf("7g")).isEqualTo("7g");
    }
}
