package dev.gpushare.placement;

import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.common.device.DeviceInfo;
import dev.gpushare.common.device.DeviceUsage;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Immutable view of one node for placement: its labels, its GPUs with their usage, the GPU pair scores and, when
 * the node's registration could not be decoded, why. Built by {@link NodeSnapshotFactory}. The node score and the
 * per-GPU arrays the engine reads are computed once here, so a placement does no work per pod on the node.
 */
public final class NodeSnapshot {

    private final String name;
    private final Map<String, String> labels;
    private final String registrationProblem;
    private final List<GpuSnapshot> gpus;
    private final int[][] pairScores;
    private final float score;
    private final boolean driverUpgrading;

    // Per-GPU values in registration order, for the engine's inner loops.
    final String[] ids;
    final String[][] modelWords;
    final String[] modes;
    final boolean[] healthy;
    /** Listed in {@code hami.io/device-cordon}: takes no new allocation. */
    final boolean[] cordoned;
    final boolean[] mig;
    final int[] count;
    final int[] devmem;
    final int[] devcore;
    final int[] numa;
    final int[] used;
    final int[] usedmem;
    final int[] usedcores;

    NodeSnapshot(String name, Map<String, String> labels, String registrationProblem, List<GpuSnapshot> gpus,
                 int[][] pairScores, java.util.Set<String> cordonedIds) {
        this.name = Objects.requireNonNull(name, "name");
        this.labels = StringMaps.copyWithoutNulls(labels);
        this.registrationProblem = registrationProblem;
        this.gpus = List.copyOf(gpus);
        this.pairScores = pairScores;
        String upgradeState = this.labels.getOrDefault(HamiKeys.GPU_DRIVER_UPGRADE_STATE, "");
        this.driverUpgrading = !upgradeState.isEmpty() && !HamiKeys.GPU_DRIVER_UPGRADE_DONE.equals(upgradeState);

        int n = this.gpus.size();
        ids = new String[n];
        modelWords = new String[n][];
        modes = new String[n];
        healthy = new boolean[n];
        cordoned = new boolean[n];
        mig = new boolean[n];
        count = new int[n];
        devmem = new int[n];
        devcore = new int[n];
        numa = new int[n];
        used = new int[n];
        usedmem = new int[n];
        usedcores = new int[n];
        long sumCount = 0;
        long sumUsed = 0;
        long sumCore = 0;
        long sumUsedCores = 0;
        long sumMem = 0;
        long sumUsedMem = 0;
        for (int i = 0; i < n; i++) {
            GpuSnapshot gpu = this.gpus.get(i);
            DeviceInfo d = gpu.device();
            DeviceUsage u = gpu.usage();
            ids[i] = d.id();
            modelWords[i] = ModelWords.of(d.type());
            modes[i] = d.mode();
            healthy[i] = gpu.healthy();
            cordoned[i] = cordonedIds.contains(d.id());
            mig[i] = gpu.migMode();
            count[i] = d.count();
            devmem[i] = d.devmem();
            devcore[i] = d.devcore();
            numa[i] = d.numa();
            used[i] = u.used();
            usedmem[i] = u.usedmem();
            usedcores[i] = u.usedcores();
            sumCount += d.count();
            sumUsed += u.used();
            sumCore += d.devcore();
            sumUsedCores += u.usedcores();
            sumMem += d.devmem();
            sumUsedMem += u.usedmem();
        }
        this.score = Scores.node(sumUsed, sumCount, sumUsedCores, sumCore, sumUsedMem, sumMem);
    }

    public String name() {
        return name;
    }

    public Map<String, String> labels() {
        return labels;
    }

    /** Why the node's registration could not be decoded; such a node takes no pod. */
    public Optional<String> registrationProblem() {
        return Optional.ofNullable(registrationProblem);
    }

    /** The GPUs in registration order (the order breaks ties, spec 4.6). */
    public List<GpuSnapshot> gpus() {
        return gpus;
    }

    /** Node score (spec 4.4) of the usage in this snapshot; 0 for terms whose capacity is 0. */
    public float score() {
        return score;
    }

    /**
     * Whether the NVIDIA GPU Operator is upgrading the driver: label {@code nvidia.com/gpu-driver-upgrade-state}
     * set to anything but empty or {@code upgrade-done}.
     */
    public boolean driverUpgrading() {
        return driverUpgrading;
    }

    /** Link score from GPU {@code a} to GPU {@code b} (indices in {@link #gpus()}); 0 when not registered. */
    public int pairScore(int a, int b) {
        return pairScores == null ? 0 : pairScores[a][b];
    }

    @Override
    public String toString() {
        return "NodeSnapshot[" + name + ", " + gpus.size() + " GPUs"
                + (registrationProblem == null ? "" : ", registration problem: " + registrationProblem) + "]";
    }
}
