package dev.gpushare.placement;

import dev.gpushare.testkit.PropertyCheck;
import dev.gpushare.common.annotation.AllocationEncoding;
import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.common.annotation.MigUuid;
import dev.gpushare.common.device.ContainerDevice;
import dev.gpushare.common.device.DeviceInfo;
import dev.gpushare.common.device.PodAllocation;
import dev.gpushare.common.request.ContainerRequest;
import dev.gpushare.placement.Scenarios.NodeSpec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Invariants of the engine over random clusters and pods, 1,000 tries each (see {@link PropertyCheck}). */
class PlacementPropertiesTest {

    private static final Pattern COUNTED = Pattern.compile("(\\d+)/(\\d+) [A-Za-z]+");

    @Test
    void noGpuEverExceedsItsSlotsMemoryOrCores() {
        AtomicInteger placements = new AtomicInteger();
        PropertyCheck.forAll(r -> r.nextLong(), seed -> {
            Random r = new Random(seed);
            PlacementSettings settings = Scenarios.settings(r);
            PlacementEngine engine = new PlacementEngine(settings);
            List<NodeSpec> nodes = new ArrayList<>();
            for (int i = 1 + r.nextInt(3); i > 0; i--) {
                nodes.add(Scenarios.node(r, "node-" + i));
            }
            // A run of pods onto an evolving cluster, as the ledger would apply them.
            for (int step = 0; step < 8; step++) {
                PlacementRequest request = Scenarios.request(r, settings.encoding(), nodes);
                PlacementResult result = engine.place(request,
                        nodes.stream().map(NodeSpec::snapshot).toList());
                if (result instanceof PlacementResult.Placed placed) {
                    placements.incrementAndGet();
                    assertShape(placed.allocation(), request, settings.encoding());
                    int i = indexOf(nodes, placed.node());
                    NodeSpec after = nodes.get(i).with(placed.allocation());
                    nodes.set(i, after);
                    assertWithinCapacity(after);
                }
            }
        });
        assertThat(placements.get()).as("placements made").isGreaterThan(2_000);
    }

    @Test
    void everyChosenGpuSatisfiesEverySelector() {
        AtomicInteger checked = new AtomicInteger();
        PropertyCheck.forAll(Scenarios::scenario, s -> {
            if (s.place() instanceof PlacementResult.Placed placed) {
                Map<String, String> annotations = s.request().annotations();
                Map<String, DeviceInfo> devices = devicesById(s.nodes());
                for (ContainerDevice cd : placed.allocation().devices()) {
                    DeviceInfo d = devices.get(MigUuid.baseOf(cd.uuid()));
                    assertThat(typeAllowed(d.type(), annotations)).as("type of %s", d).isTrue();
                    assertThat(uuidAllowed(d.id(), annotations)).as("uuid of %s", d).isTrue();
                    assertThat(d.health()).isTrue();
                    if (!annotations.isEmpty()) {
                        checked.incrementAndGet();
                    }
                }
            }
        });
        assertThat(checked.get()).as("GPUs checked against selectors").isGreaterThan(500);
    }

    @Test
    void nodePolicyPicksTheExtremeScoreAmongFittingNodesAndTheFirstNameOnTies() {
        AtomicInteger choices = new AtomicInteger();
        PropertyCheck.forAll(Scenarios::scenario, s -> {
            if (!(s.place() instanceof PlacementResult.Placed placed)) {
                return;
            }
            PlacementEngine engine = new PlacementEngine(s.settings());
            List<NodeSnapshot> fitting = s.snapshots().stream()
                    .filter(n -> engine.place(s.request(), List.of(n)) instanceof PlacementResult.Placed)
                    .toList();
            String annotated = s.request().annotations().get(HamiKeys.NODE_SCHEDULER_POLICY);
            NodePolicy policy = annotated == null ? s.settings().nodePolicy()
                    : NodePolicy.fromValue(annotated).orElseThrow();
            double extreme = policy == NodePolicy.BINPACK
                    ? fitting.stream().mapToDouble(NodeSnapshot::score).max().orElseThrow()
                    : fitting.stream().mapToDouble(NodeSnapshot::score).min().orElseThrow();
            String expected = fitting.stream().filter(n -> n.score() == extreme).map(NodeSnapshot::name)
                    .sorted().findFirst().orElseThrow();
            assertThat(placed.node()).isEqualTo(expected);
            assertThat(placed.score()).isEqualTo((float) extreme);
            if (fitting.size() > 1) {
                choices.incrementAndGet();
            }
        });
        assertThat(choices.get()).as("placements with a choice of nodes").isGreaterThan(200);
    }

    @Test
    void resultDoesNotDependOnTheOrderOfCandidates() {
        PropertyCheck.forAll(Scenarios::scenario, s -> {
            PlacementEngine engine = new PlacementEngine(s.settings());
            List<NodeSnapshot> shuffled = new ArrayList<>(s.snapshots());
            Collections.shuffle(shuffled, new Random(s.nodes().size()));
            Collections.reverse(shuffled);
            assertThat(engine.place(s.request(), shuffled)).isEqualTo(s.place());
        });
    }

    @Test
    void reasonCountsOfARejectedNodeAddUpToItsGpus() {
        AtomicInteger rejections = new AtomicInteger();
        PropertyCheck.forAll(Scenarios::scenario, s -> {
            PlacementResult result = s.place();
            Map<String, String> failed = Fixtures.wireTexts(result instanceof PlacementResult.Placed p
                    ? p.failedNodes() : result instanceof PlacementResult.Unschedulable u ? u.failedNodes() : Map.of());
            failed.forEach((node, reason) -> {
                if (reason.equals("NodeInsufficientDevice")) {
                    return;
                }
                Matcher m = COUNTED.matcher(reason);
                int sum = 0;
                int gpus = -1;
                while (m.find()) {
                    sum += Integer.parseInt(m.group(1));
                    gpus = Integer.parseInt(m.group(2));
                }
                assertThat(sum).as("%s: %s", node, reason).isEqualTo(gpus);
                rejections.incrementAndGet();
            });
        });
        assertThat(rejections.get()).as("rejected nodes").isGreaterThan(500);
    }

    private static void assertShape(PodAllocation allocation, PlacementRequest request, AllocationEncoding encoding) {
        List<ContainerRequest> expected = new ArrayList<>();
        if (encoding == AllocationEncoding.V2_9) {
            expected.addAll(request.request().initContainers());
        }
        expected.addAll(request.request().containers());
        assertThat(allocation.containers()).hasSameSizeAs(expected);
        for (int c = 0; c < expected.size(); c++) {
            List<ContainerDevice> devices = allocation.containers().get(c);
            assertThat(devices).hasSize(Math.max(expected.get(c).nums(), 0));
            List<String> plainUuids = devices.stream().map(ContainerDevice::uuid).filter(u -> !u.contains("["))
                    .toList();
            assertThat(plainUuids).doesNotHaveDuplicates();
        }
    }

    private static void assertWithinCapacity(NodeSpec node) {
        NodeSnapshot snapshot = node.snapshot();
        for (GpuSnapshot gpu : snapshot.gpus()) {
            DeviceInfo d = gpu.device();
            assertThat(gpu.usage().used()).as("slots of %s", d.id()).isLessThanOrEqualTo(d.count());
            assertThat(gpu.usage().usedmem()).as("memory of %s", d.id()).isLessThanOrEqualTo(d.devmem());
            assertThat(gpu.usage().usedcores()).as("cores of %s", d.id()).isLessThanOrEqualTo(d.devcore());
            assertThat(gpu.healthy()).as("MIG layout of %s stays consistent", d.id()).isEqualTo(d.health());
        }
    }

    /** Independent statement of the word rule: the entry's words, space-joined, inside the model's. */
    static boolean typeMatches(String model, String entry) {
        String words = words(entry);
        return !words.isEmpty() && (" " + words(model) + " ").contains(" " + words + " ");
    }

    private static String words(String text) {
        return String.join(" ", text.toUpperCase(Locale.ROOT).split("[^A-Z0-9]+")).trim();
    }

    private static boolean typeAllowed(String model, Map<String, String> annotations) {
        List<String> use = entries(annotations.get(HamiKeys.USE_GPU_TYPE)).stream()
                .filter(e -> !words(e).isEmpty()).toList();
        List<String> nouse = entries(annotations.get(HamiKeys.NOUSE_GPU_TYPE));
        return (use.isEmpty() || use.stream().anyMatch(e -> typeMatches(model, e)))
                && nouse.stream().noneMatch(e -> typeMatches(model, e));
    }

    private static boolean uuidAllowed(String id, Map<String, String> annotations) {
        List<String> use = entries(annotations.get(HamiKeys.USE_GPU_UUID)).stream().map(String::trim)
                .filter(e -> !e.isEmpty()).toList();
        List<String> nouse = entries(annotations.get(HamiKeys.NOUSE_GPU_UUID)).stream().map(String::trim).toList();
        return (use.isEmpty() || use.contains(id)) && !nouse.contains(id);
    }

    private static List<String> entries(String value) {
        return value == null ? List.of() : Arrays.asList(value.split(",", -1));
    }

    private static Map<String, DeviceInfo> devicesById(List<NodeSpec> nodes) {
        Map<String, DeviceInfo> byId = new HashMap<>();
        nodes.forEach(n -> n.devices().forEach(d -> byId.put(d.id(), d)));
        return byId;
    }

    private static int indexOf(List<NodeSpec> nodes, String name) {
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new AssertionError("placed on an unknown node " + name);
    }
}
