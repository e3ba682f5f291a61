package dev.gpushare.bench;

import dev.gpushare.common.device.DeviceInfo;
import dev.gpushare.common.device.PodAllocation;
import dev.gpushare.placement.NodeSnapshot;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/** What the ledger pays when one node changes: rebuilding its snapshot from 8 GPUs and its pods' allocations. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PlacementSnapshotBenchmark {

    private List<DeviceInfo> devices;
    private List<PodAllocation> pods;

    @Setup
    public void setUp() {
        devices = BenchCluster.devices("gpu-node-0");
        Random random = new Random(7);
        do {
            pods = BenchCluster.pods(devices, random);
        } while (pods.size() != 8);
    }

    @Benchmark
    public NodeSnapshot buildOneNode() {
        return BenchCluster.FACTORY.snapshot("gpu-node-0", Map.of(), devices, Map.of(), pods);
    }
}
