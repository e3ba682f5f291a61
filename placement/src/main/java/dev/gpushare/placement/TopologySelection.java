package dev.gpushare.placement;

import java.util.ArrayList;
import java.util.List;

/**
 * Chooses {@code nums} of the GPUs that passed every check by their link scores (spec 4.8, topology-aware policy).
 * Pair score of two candidates: the score registered from the one earlier in the walk order to the other.
 *
 * <ul>
 *   <li>one GPU: the candidate whose scores to all the others sum lowest (the worst connected one, which keeps
 *       well-connected groups free); the first such in walk order;</li>
 *   <li>several: the first subset, in lexicographic walk order, with the highest sum of its pair scores. Unlike
 *       HAMi, a subset scoring 0 counts, so when no pair scores are registered the first {@code nums} candidates
 *       are taken (HAMi returns an empty allocation);</li>
 *   <li>when there are more than {@value #MAX_SUBSETS} subsets (only on nodes with dozens of GPUs): greedily, the
 *       best pair first, then each time the candidate adding the most, so a placement never hangs.</li>
 * </ul>
 */
final class TopologySelection {

    static final int MAX_SUBSETS = 20_000;

    private TopologySelection() {
    }

    static List<Choice> select(List<Choice> candidates, int nums, NodeSnapshot node) {
        int n = candidates.size();
        int[][] pair = new int[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                int s = node.pairScore(candidates.get(i).device(), candidates.get(j).device());
                pair[i][j] = s;
                pair[j][i] = s;
            }
        }
        int[] picked;
        if (nums == 1) {
            picked = new int[] {worstConnected(pair)};
        } else if (subsetsAtMost(n, nums, MAX_SUBSETS)) {
            picked = bestSubset(pair, nums);
        } else {
            picked = greedy(pair, nums);
        }
        List<Choice> selection = new ArrayList<>(nums);
        for (int i : picked) {
            selection.add(candidates.get(i));
        }
        return List.copyOf(selection);
    }

    private static int worstConnected(int[][] pair) {
        int best = 0;
        long bestSum = Long.MAX_VALUE;
        for (int i = 0; i < pair.length; i++) {
            long sum = 0;
            for (int j = 0; j < pair.length; j++) {
                sum += pair[i][j];
            }
            if (sum < bestSum) {
                bestSum = sum;
                best = i;
            }
        }
        return best;
    }

    private static int[] bestSubset(int[][] pair, int nums) {
        int n = pair.length;
        int[] subset = new int[nums];
        for (int i = 0; i < nums; i++) {
            subset[i] = i;
        }
        int[] best = null;
        long bestSum = -1;
        while (true) {
            long sum = 0;
            for (int i = 0; i < nums; i++) {
                for (int j = i + 1; j < nums; j++) {
                    sum += pair[subset[i]][subset[j]];
                }
            }
            if (sum > bestSum) {
                bestSum = sum;
                best = subset.clone();
            }
            int i = nums - 1;
            while (i >= 0 && subset[i] == n - nums + i) {
                i--;
            }
            if (i < 0) {
                return best;
            }
            subset[i]++;
            for (int j = i + 1; j < nums; j++) {
                subset[j] = subset[j - 1] + 1;
            }
        }
    }

    private static int[] greedy(int[][] pair, int nums) {
        int n = pair.length;
        boolean[] in = new boolean[n];
        int seedA = 0;
        int seedB = 1;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                if (pair[i][j] > pair[seedA][seedB]) {
                    seedA = i;
                    seedB = j;
                }
            }
        }
        in[seedA] = true;
        in[seedB] = true;
        for (int size = 2; size < nums; size++) {
            int next = -1;
            long nextGain = -1;
            for (int c = 0; c < n; c++) {
                if (in[c]) {
                    continue;
                }
                long gain = 0;
                for (int s = 0; s < n; s++) {
                    if (in[s]) {
                        gain += pair[s][c];
                    }
                }
                if (gain > nextGain) {
                    nextGain = gain;
                    next = c;
                }
            }
            in[next] = true;
        }
        int[] picked = new int[nums];
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (in[i]) {
                picked[k++] = i;
            }
        }
        return picked;
    }

    /** Whether C(n, k) is at most {@code limit}, without overflowing. */
    static boolean subsetsAtMost(int n, int k, long limit) {
        long c = 1;
        for (int i = 1; i <= k; i++) {
            c = c * (n - k + i) / i;
            if (c > limit) {
                return false;
            }
        }
        return true;
    }
}
