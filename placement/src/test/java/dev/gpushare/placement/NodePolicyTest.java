package dev.gpushare.placement;

import dev.gpushare.common.annotation.HamiKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.gpushare.placement.Fixtures.ctr;
import static dev.gpushare.placement.Fixtures.engine;
import static dev.gpushare.placement.Fixtures.node;
import static dev.gpushare.placement.Fixtures.placed;
import static dev.gpushare.placement.Fixtures.pod;
import static dev.gpushare.placement.Fixtures.request;
import static dev.gpushare.placement.Fixtures.t4;
import static dev.gpushare.placement.Fixtures.used;
import static org.assertj.core.api.Assertions.assertThat;

class NodePolicyTest {

    private static final NodeSnapshot BUSY = node("busy").gpus(t4("b1"), t4("b2"))
            .pods(pod(used("b1", 8000, 50))).build();
    private static final NodeSnapshot FREE = node("free").gpus(t4("f1"), t4("f2")).build();
    private static final NodeSnapshot FULL = node("full").gpus(t4("x1")).pods(pod(used("x1", 15360, 100))).build();

    @Test
    void binpackPicksTheMostUsedNodeThatFits() {
        PlacementResult.Placed result = placed(engine(NodePolicy.BINPACK, GpuPolicy.SPREAD)
                .place(request(ctr(1, 1000, 10)), List.of(FREE, FULL, BUSY)));

        assertThat(result.node()).isEqualTo("busy");
        assertThat(result.score()).isEqualTo(BUSY.score());
        assertThat(result.failedNodes()).containsOnlyKeys("full");
    }

    @Test
    void spreadPicksTheLeastUsedNode() {
        assertThat(placed(engine(NodePolicy.SPREAD, GpuPolicy.SPREAD)
                .place(request(ctr(1, 1000, 10)), List.of(BUSY, FULL, FREE))).node()).isEqualTo("free");
    }

    @Test
    void everyFittingNodeIsListedWithItsScoreInThePolicysOrder() {
        NodeSnapshot alsoFree = node("also-free").gpus(t4("a1")).build();
        List<NodeSnapshot> candidates = List.of(FREE, FULL, BUSY, alsoFree);

        PlacementResult.Placed binpack = placed(engine(NodePolicy.BINPACK, GpuPolicy.SPREAD)
                .place(request(ctr(1, 1000, 10)), candidates));
        PlacementResult.Placed spread = placed(engine(NodePolicy.SPREAD, GpuPolicy.SPREAD)
                .place(request(ctr(1, 1000, 10)), candidates));

        assertThat(BUSY.score()).isGreaterThan(0f);
        assertThat(binpack.fitting()).containsExactly(new PlacementResult.NodeScore("busy", BUSY.score()),
                new PlacementResult.NodeScore("also-free", 0f), new PlacementResult.NodeScore("free", 0f));
        assertThat(spread.fitting()).containsExactly(new PlacementResult.NodeScore("also-free", 0f),
                new PlacementResult.NodeScore("free", 0f), new PlacementResult.NodeScore("busy", BUSY.score()));
        assertThat(spread.node()).isEqualTo("also-free");
        assertThat(spread.score()).isZero();
    }

    @Test
    void podAnnotationOverridesTheDefaultNodePolicy() {
        assertThat(placed(engine(NodePolicy.BINPACK, GpuPolicy.SPREAD).place(
                request(ctr(1, 1000, 10), HamiKeys.NODE_SCHEDULER_POLICY, "spread"), List.of(BUSY, FREE))).node())
                .isEqualTo("free");
    }

    @ParameterizedTest
    @EnumSource(NodePolicy.class)
    void equalScoresGoToTheNameThatSortsFirstWhateverTheOrder(NodePolicy policy) {
        NodeSnapshot b = node("node-b").gpus(t4("g1")).build();
        NodeSnapshot a = node("node-a").gpus(t4("g2")).build();
        NodeSnapshot c = node("node-c").gpus(t4("g3")).build();
        PlacementEngine engine = engine(policy, GpuPolicy.SPREAD);

        assertThat(placed(engine.place(request(ctr(1, 1000, 10)), List.of(b, a, c))).node()).isEqualTo("node-a");
        assertThat(placed(engine.place(request(ctr(1, 1000, 10)), List.of(c, b, a))).node()).isEqualTo("node-a");
    }

    @Test
    void unknownNodePolicyIsAnInvalidPod() {
        assertThat(engine().place(request(ctr(1, 1000, 10), HamiKeys.NODE_SCHEDULER_POLICY, "Spread"),
                List.of(FREE))).isEqualTo(new PlacementResult.InvalidPod(
                "pod ns/pod: annotation hami.io/node-scheduler-policy: \"Spread\" is not one of binpack, spread"));
    }

    @Test
    void noCandidateFitsGivesEveryNodesReason() {
        PlacementResult result = engine().place(request(ctr(1, 1000, 10)),
                List.of(FULL, Fixtures.FACTORY.unregistrable("broken", Map.of(), "bad JSON")));

        assertThat(result).isInstanceOf(PlacementResult.Unschedulable.class);
        assertThat(Fixtures.wireTexts(((PlacementResult.Unschedulable) result).failedNodes())).isEqualTo(Map.of(
                "full", "1/1 CardInsufficientMemory", "broken", "NodeRegistrationInvalid"));
    }

    @Test
    void noCandidatesIsUnschedulableWithoutReasons() {
        assertThat(engine().place(request(ctr(1, 1000, 10)), List.of()))
                .isEqualTo(new PlacementResult.Unschedulable(new TreeMap<>()));
    }

    @Test
    void concurrentPlacementsOnSharedSnapshotsAgree() throws Exception {
        PlacementEngine engine = engine();
        List<NodeSnapshot> nodes = List.of(BUSY, FREE, FULL);
        PlacementResult expected = engine.place(request(ctr(2, 1000, 10)), nodes);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<PlacementResult>> results = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                results.add(pool.submit(() -> engine.place(request(ctr(2, 1000, 10)), nodes)));
            }
            for (Future<PlacementResult> r : results) {
                assertThat(r.get()).isEqualTo(expected);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
