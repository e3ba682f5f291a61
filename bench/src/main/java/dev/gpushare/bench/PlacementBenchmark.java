package dev.gpushare.bench;

import dev.gpushare.common.annotation.AllocationEncoding;
import dev.gpushare.common.request.ContainerRequest;
import dev.gpushare.common.request.PodRequest;
import dev.gpushare.placement.GpuPolicy;
import dev.gpushare.placement.NamespaceQuota;
import dev.gpushare.placement.NodePolicy;
import dev.gpushare.placement.NodeSnapshot;
import dev.gpushare.placement.PlacementEngine;
import dev.gpushare.placement.PlacementRequest;
import dev.gpushare.placement.PlacementResult;
import dev.gpushare.placement.PlacementSettings;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * One {@code /filter} worth of placement: 500 candidate nodes (kube-scheduler's cap per call) looked up among
 * 5,000 registered nodes of 8 GPUs with about 40,000 allocations. Pod {@code small}: one GPU, 4 GiB, 20 % (fits
 * almost everywhere); {@code exclusive-4}: four whole GPUs with {@code gpucores: 100}, which most nodes cannot
 * take, so their failure reasons are rendered too.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PlacementBenchmark {

    static final int NODES = 5_000;
    static final int CANDIDATES = 500;

    @Param({"binpack", "spread"})
    String nodePolicy;

    @Param({"small", "exclusive-4"})
    String pod;

    private Map<String, NodeSnapshot> ledger;
    private List<String> candidateNames;
    private PlacementEngine engine;
    private PlacementRequest request;
    /** Allocations in the cluster, for the report. */
    int allocations;

    @Setup
    public void setUp() {
        Random random = new Random(42);
        ledger = new HashMap<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < NODES; i++) {
            String name = "gpu-node-" + i;
            NodeSnapshot node = BenchCluster.snapshot(name, random);
            allocations += node.gpus().stream().mapToInt(g -> g.usage().used()).sum();
            ledger.put(name, node);
            names.add(name);
        }
        candidateNames = new ArrayList<>();
        for (int i = 0; i < CANDIDATES; i++) {
            candidateNames.add(names.get(random.nextInt(NODES)));
        }
        engine = new PlacementEngine(new PlacementSettings(NodePolicy.fromValue(nodePolicy).orElseThrow(),
                GpuPolicy.SPREAD, true, AllocationEncoding.V2_8));
        ContainerRequest container = pod.equals("small")
                ? new ContainerRequest("main", false, 1, 4096, ContainerRequest.PERCENTAGE_NOT_GIVEN, 20, -1)
                : new ContainerRequest("main", false, 4, 0, 100, 100, -1);
        request = new PlacementRequest("team-a", "trainer-0", new PodRequest(List.of(), List.of(container)),
                Map.of(), NamespaceQuota.NONE);
        if (!(place() instanceof PlacementResult.Placed placed)) {
            throw new IllegalStateException("benchmark pod does not fit anywhere");
        }
        System.out.println("\ncluster: " + NODES + " nodes, " + allocations + " allocations; " + CANDIDATES
                + " candidates, " + placed.failedNodes().size() + " of them unfit");
    }

    @Benchmark
    public PlacementResult place() {
        List<NodeSnapshot> candidates = new ArrayList<>(candidateNames.size());
        for (String name : candidateNames) {
            candidates.add(ledger.get(name));
        }
        return engine.place(request, candidates);
    }
}
