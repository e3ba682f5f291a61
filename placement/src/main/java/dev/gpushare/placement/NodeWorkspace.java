package dev.gpushare.placement;

import dev.gpushare.common.annotation.ScoringWeights;

import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.common.device.ContainerDevice;
import dev.gpushare.common.request.ContainerRequest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The mutable working copy of one node's usage while one pod is placed on it: the snapshot's usage plus the
 * containers of this pod placed so far ("committed"), plus what the fit walk has accepted for the current
 * container ("tentative"). Confined to one evaluation; the snapshot itself is never modified.
 */
final class NodeWorkspace {

    final NodeSnapshot node;
    final int size;

    final int[] used;
    final int[] usedmem;
    final int[] usedcores;
    private final MigInstances[] mig;
    /** MiB and cores this pod holds on the node through its earlier containers (for the quota). */
    long podMemory;
    long podCores;

    final int[] tentativeUsed;
    final int[] tentativeMem;
    final int[] tentativeCores;
    private final MigInstances[] tentativeMig;
    long tentativeMemTotal;
    long tentativeCoresTotal;

    private final float[] scores;

    NodeWorkspace(NodeSnapshot node) {
        this.node = node;
        this.size = node.ids.length;
        used = node.used.clone();
        usedmem = node.usedmem.clone();
        usedcores = node.usedcores.clone();
        mig = new MigInstances[size];
        tentativeUsed = new int[size];
        tentativeMem = new int[size];
        tentativeCores = new int[size];
        tentativeMig = new MigInstances[size];
        scores = new float[size];
    }

    /**
     * The GPUs in the order the fit walk tries them (spec 4.6: HAMi sorts, then walks from the end). Binpack:
     * lowest NUMA node first, then the highest device score (fullest GPU); spread and topology-aware: highest NUMA
     * node first, then the lowest score (emptiest GPU). Exact ties: the GPU registered last first. Always sorted
     * from registration order, so the order depends only on the snapshot and the usage.
     */
    int[] preferenceOrder(GpuPolicy policy, ScoringWeights weights, ContainerRequest request, int cores) {
        int[] numa = node.numa;
        for (int i = 0; i < size; i++) {
            scores[i] = Scores.device(weights, request.nums(), cores, request.memoryOn(node.devmem[i]), used[i],
                    node.count[i], usedcores[i], node.devcore[i], usedmem[i], node.devmem[i]);
        }
        boolean binpack = policy == GpuPolicy.BINPACK;
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            int j = i;
            while (j > 0 && triedBefore(i, order[j - 1], binpack, numa)) {
                order[j] = order[j - 1];
                j--;
            }
            order[j] = i;
        }
        return order;
    }

    private boolean triedBefore(int a, int b, boolean binpack, int[] numa) {
        if (numa[a] != numa[b]) {
            return binpack ? numa[a] < numa[b] : numa[a] > numa[b];
        }
        int byScore = Float.compare(scores[a], scores[b]);
        if (byScore != 0) {
            return binpack ? byScore > 0 : byScore < 0;
        }
        return a > b;
    }

    /** Forgets what the fit walk accepted for the current container (a new container, or a new NUMA group). */
    void resetTentative() {
        Arrays.fill(tentativeUsed, 0);
        Arrays.fill(tentativeMem, 0);
        Arrays.fill(tentativeCores, 0);
        Arrays.fill(tentativeMig, null);
        tentativeMemTotal = 0;
        tentativeCoresTotal = 0;
    }

    /** Takes a MIG instance of at least {@code memory} MiB on GPU {@code d} tentatively, or null if none is left. */
    MigInstances.Pick tentativeMigInstance(int d, int memory) {
        if (tentativeMig[d] == null) {
            tentativeMig[d] = migInstances(d).copy();
        }
        return tentativeMig[d].take(memory);
    }

    void accept(Choice c) {
        tentativeUsed[c.device()]++;
        tentativeMem[c.device()] += c.memory();
        tentativeCores[c.device()] += c.cores();
        tentativeMemTotal += c.memory();
        tentativeCoresTotal += c.cores();
    }

    /** GPUs with at least one tentative choice. */
    int tentativeCards() {
        int cards = 0;
        for (int u : tentativeUsed) {
            if (u > 0) {
                cards++;
            }
        }
        return cards;
    }

    /** Adds the container's choices to the working usage and renders them as the allocation entries. */
    List<ContainerDevice> commit(List<Choice> choices) {
        List<ContainerDevice> devices = new ArrayList<>(choices.size());
        for (Choice c : choices) {
            int d = c.device();
            used[d]++;
            usedmem[d] += c.memory();
            usedcores[d] += c.cores();
            podMemory += c.memory();
            podCores += c.cores();
            String uuid = node.ids[d];
            if (c.mig() != null) {
                migInstances(d).apply(c.mig());
                uuid += c.mig().uuidSuffix();
            }
            devices.add(new ContainerDevice(uuid, HamiKeys.NVIDIA_VENDOR, c.memory(), c.cores()));
        }
        return devices;
    }

    private MigInstances migInstances(int d) {
        if (mig[d] == null) {
            mig[d] = node.gpus().get(d).mig().toInstances();
        }
        return mig[d];
    }
}
