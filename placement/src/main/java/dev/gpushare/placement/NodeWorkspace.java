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
     * The GPUs in the order the fit walk tries them (spec 4.6: HAMi sorts, then walks from the end), by
     * {@code order} ({@link GpuOrder}). Exact ties: the GPU registered last first. Always sorted from registration
     * order, so the order depends only on the snapshot and the usage.
     */
    int[] preferenceOrder(GpuOrder order, ScoringWeights weights, ContainerRequest request, int cores) {
        for (int i = 0; i < size; i++) {
            scores[i] = Scores.device(weights, request.nums(), cores, request.memoryOn(node.devmem[i]), used[i],
                    node.count[i], usedcores[i], node.devcore[i], usedmem[i], node.devmem[i]);
        }
        int[] walk = new int[size];
        for (int i = 0; i < size; i++) {
            int j = i;
            while (j > 0 && triedBefore(i, walk[j - 1], order)) {
                walk[j] = walk[j - 1];
                j--;
            }
            walk[j] = i;
        }
        return walk;
    }

    private boolean triedBefore(int a, int b, GpuOrder order) {
        int[] numa = node.numa;
        int compared;
        if (order instanceof GpuOrder.NumaThenScore byNuma) {
            boolean binpack = byNuma == GpuOrder.NumaThenScore.BINPACK;
            if (numa[a] != numa[b]) {
                compared = binpack ? Integer.compare(numa[b], numa[a]) : Integer.compare(numa[a], numa[b]);
            } else {
                int byScore = Float.compare(scores[a], scores[b]);
                compared = binpack ? byScore : -byScore;
            }
        } else if (order instanceof GpuOrder.Chain chain) {
            compared = byChain(a, b, chain.keys());
        } else {
            compared = used[a] != used[b] ? Integer.compare(used[b], used[a]) : Integer.compare(numa[a], numa[b]);
        }
        return compared != 0 ? compared > 0 : a > b;
    }

    /** Positive when {@code a} is tried before {@code b} by the first key that tells them apart, else 0. */
    private int byChain(int a, int b, List<GpuPolicy> keys) {
        for (GpuPolicy key : keys) {
            int compared = switch (key) {
                case BINPACK -> Float.compare(scores[a], scores[b]);
                case SPREAD -> Float.compare(scores[b], scores[a]);
                case NUMA -> Integer.compare(node.numa[a], node.numa[b]);
                default -> 0;
            };
            if (compared != 0) {
                return compared;
            }
        }
        return 0;
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
