package dev.gpushare.placement;

import dev.gpushare.common.request.ContainerRequest;

import java.util.ArrayList;
import java.util.List;

/**
 * Fits one container onto the GPUs of one node (spec 4.3 and 4.7): walks the GPUs in preference order, checks
 * each in HAMi's order and accepts it or counts why not.
 *
 * <p>Where we differ from HAMi, deliberately: the checks see what this container has already accepted on the same
 * GPU (only MIG GPUs are visited twice); every GPU that was looked at is counted under exactly one reason, so the
 * counts of a rejection add up to the node's GPUs ({@code NumaNotFit} and {@code AllocatedCardsInsufficientRequest}
 * count the GPUs that fitted but were too few); with {@code topology-aware} and {@code numa-bind} the first NUMA
 * group with enough GPUs is used (HAMi keeps only the last one).
 */
final class ContainerFit {

    sealed interface Outcome {
    }

    record Accepted(List<Choice> choices) implements Outcome {
    }

    record Rejected(NodeRejection reason) implements Outcome {
    }

    private ContainerFit() {
    }

    static Outcome fit(NodeWorkspace ws, PodPlan plan, ContainerRequest request) {
        NodeSnapshot node = ws.node;
        int nums = request.nums();
        if (nums > ws.size) {
            return new Rejected(NodeRejection.of(FailureReason.NODE_INSUFFICIENT_DEVICE));
        }
        int cores = Math.min(request.coresreq(), 100);
        boolean topology = plan.gpuPolicies.has(GpuPolicy.TOPOLOGY_AWARE);
        int[] order = ws.preferenceOrder(plan.gpuOrder, plan.weights, request, cores);
        ReasonTally tally = new ReasonTally();
        List<Choice> chosen = new ArrayList<>(nums);
        ws.resetTentative();
        boolean inGroup = false;
        int groupNuma = 0;
        for (int pos = 0; pos < order.length; pos++) {
            int d = order[pos];
            // A MIG GPU is visited again after each accepted instance; only its first visit gets a reason.
            boolean revisit = ws.tentativeUsed[d] > 0;
            FailureReason reason = null;
            if (!node.healthy[d]) {
                reason = FailureReason.CARD_NOT_HEALTH;
            } else if (node.cordoned[d]) {
                reason = FailureReason.CARD_CORDONED;
            } else if (!plan.selectors.acceptsType(node.modelWords[d], node.modes[d])) {
                reason = FailureReason.CARD_TYPE_MISMATCH;
            } else {
                if (plan.numaBind && (!inGroup || node.numa[d] != groupNuma)) {
                    if (topology && chosen.size() >= nums) {
                        break;
                    }
                    if (!chosen.isEmpty()) {
                        tally.add(FailureReason.NUMA_NOT_FIT, ws.tentativeCards());
                        chosen.clear();
                        ws.resetTentative();
                    }
                    inGroup = true;
                    groupNuma = node.numa[d];
                }
                int memory = request.memoryOn(node.devmem[d]);
                reason = check(ws, plan, d, memory, cores);
                if (reason == null) {
                    Choice choice = choose(ws, d, memory, cores);
                    if (choice == null) {
                        reason = FailureReason.CARD_NOT_FOUND_CUSTOM_FILTER_RULE;
                    } else {
                        chosen.add(choice);
                        ws.accept(choice);
                        if (!topology && chosen.size() == nums) {
                            return new Accepted(List.copyOf(chosen));
                        }
                        if (node.mig[d]) {
                            pos--;
                        }
                    }
                }
            }
            if (reason != null && !revisit) {
                tally.add(reason, 1);
            }
        }
        if (topology && chosen.size() >= nums) {
            return new Accepted(chosen.size() == nums ? List.copyOf(chosen)
                    : TopologySelection.select(chosen, nums, node));
        }
        if (!chosen.isEmpty()) {
            tally.add(FailureReason.ALLOCATED_CARDS_INSUFFICIENT_REQUEST, ws.tentativeCards());
        }
        return new Rejected(tally.rejection(ws.size));
    }

    /** Spec 4.7 steps d to l, in HAMi's order; null when the GPU can take the request. */
    private static FailureReason check(NodeWorkspace ws, PodPlan plan, int d, int memory, int cores) {
        NodeSnapshot node = ws.node;
        int used = ws.used[d] + ws.tentativeUsed[d];
        int usedmem = ws.usedmem[d] + ws.tentativeMem[d];
        int usedcores = ws.usedcores[d] + ws.tentativeCores[d];
        int devcore = node.devcore[d];
        if (!plan.selectors.acceptsUuid(node.ids[d])) {
            return FailureReason.CARD_UUID_MISMATCH;
        }
        if (node.count[d] <= used) {
            return FailureReason.CARD_TIME_SLICING_EXHAUSTED;
        }
        if (plan.gpuPolicies.has(GpuPolicy.MUTEX) && used > 0) {
            return FailureReason.EXCLUSIVE_DEVICE_ALLOCATE_CONFLICT;
        }
        if (!plan.quota.admits(ws.podMemory + ws.tentativeMemTotal + memory,
                ws.podCores + ws.tentativeCoresTotal + cores)) {
            return FailureReason.RESOURCE_QUOTA_NOT_FIT;
        }
        if ((long) node.devmem[d] - usedmem < memory) {
            return FailureReason.CARD_INSUFFICIENT_MEMORY;
        }
        if ((long) devcore - usedcores < cores) {
            return FailureReason.CARD_INSUFFICIENT_CORE;
        }
        if (devcore == 100 && cores == 100 && used > 0) {
            return FailureReason.EXCLUSIVE_DEVICE_ALLOCATE_CONFLICT;
        }
        if (devcore != 0 && usedcores >= devcore && cores == 0) {
            return FailureReason.CARD_COMPUTE_UNITS_EXHAUSTED;
        }
        return null;
    }

    /** The GPU as a choice; on a MIG GPU one of its instances (spec 4.10), or null when none is left. */
    private static Choice choose(NodeWorkspace ws, int d, int memory, int cores) {
        if (!ws.node.mig[d]) {
            return new Choice(d, memory, cores, null);
        }
        MigInstances.Pick pick = ws.tentativeMigInstance(d, memory);
        return pick == null ? null
                : new Choice(d, pick.template().memory(), pick.template().core(), pick);
    }
}
