package dev.gpushare.scheduler.extender;

import dev.gpushare.scheduler.metrics.GaugeFamily;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiPredicate;

/**
 * The GPU pods whose last {@code /filter} placed them nowhere, with the reason, for {@code gpushare_pending_pods}.
 * A pod leaves when a later filter places it or its bind succeeds, and at scrape time when it is gone or bound (so
 * deleted pods are never counted). At most {@value #MAX} pods are tracked: the gauge is a view for operators, not
 * state, and a burst of unschedulable pods must not grow memory without bound.
 */
public final class PendingPods {

    static final int MAX = 10_000;

    /** A waiting pod and why. */
    record Waiting(String namespace, String name, String reason) {
    }

    private final Map<String, Waiting> byUid = new ConcurrentHashMap<>();

    /** The pod's last filter found no node ({@code reason}: the reason most nodes gave) or failed. */
    void waiting(String uid, String namespace, String name, String reason) {
        if (uid == null || uid.isEmpty()) {
            return;
        }
        if (byUid.size() < MAX || byUid.containsKey(uid)) {
            byUid.put(uid, new Waiting(namespace, name, reason));
        }
    }

    /** The pod was placed or bound. */
    void scheduled(String uid) {
        if (uid != null) {
            byUid.remove(uid);
        }
    }

    /**
     * {@code gpushare_pending_pods{reason}}: how many tracked pods still wait, by reason; pods for which
     * {@code stillWaiting} (uid, pod) is false are forgotten.
     */
    GaugeFamily family(BiPredicate<String, Waiting> stillWaiting) {
        byUid.entrySet().removeIf(e -> !stillWaiting.test(e.getKey(), e.getValue()));
        Map<String, Integer> counts = new TreeMap<>();
        byUid.values().forEach(w -> counts.merge(w.reason(), 1, Integer::sum));
        return new GaugeFamily("gpushare_pending_pods", "GPU pods whose last /filter placed them on no node and that"
                + " are still unbound, by the reason most candidate nodes gave (or the failure of the filter)",
                List.of("reason"), counts.entrySet().stream()
                        .map(e -> new GaugeFamily.Sample(List.of(e.getKey()), e.getValue())).toList());
    }
}
