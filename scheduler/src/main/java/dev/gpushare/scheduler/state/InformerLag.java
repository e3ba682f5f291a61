package dev.gpushare.scheduler.state;

import dev.gpushare.scheduler.metrics.Latency;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * How long our own pod writes take to come back through the pod informer ({@code gpushare_informer_lag_seconds}):
 * from the API server's answer to a write of ours (the placement annotations, {@code bind-phase}, the node label)
 * to the informer delivering that {@code resourceVersion}. Every decision made from the informer's view of a pod
 * pays this delay (the ledger counting a bound pod, a waiting bind being woken, a reconcile). One write per pod is
 * awaited, the latest (a later write of the same pod replaces it; the overtaken one is not timed), and at most
 * {@value #MAX_PENDING} in all; a write whose version never arrives (a third party wrote the pod right after us,
 * the pod was deleted) is forgotten after {@link #FORGET_AFTER}. Thread-safe; nothing here calls the API.
 */
public final class InformerLag {

    static final int MAX_PENDING = 10_000;
    static final Duration FORGET_AFTER = Duration.ofMinutes(1);

    private record Written(String resourceVersion, long at) {
    }

    private final Map<String, Written> pending = new ConcurrentHashMap<>();
    private final Timer lag;
    private final LongSupplier nanos;

    public InformerLag(MeterRegistry meters) {
        this(meters, System::nanoTime);
    }

    /** @param nanos a monotonic clock in nanoseconds ({@code System::nanoTime}) */
    InformerLag(MeterRegistry meters, LongSupplier nanos) {
        this.lag = Latency.timer(meters, "gpushare_informer_lag", "Time from the API server answering a pod write"
                + " of this scheduler to the pod informer delivering that resourceVersion");
        this.nanos = nanos;
    }

    /** The API server answered a write of ours with {@code written}; its version is now awaited. */
    public void wrote(Pod written) {
        ObjectMeta meta = written == null ? null : written.getMetadata();
        if (meta == null || meta.getResourceVersion() == null) {
            return;
        }
        long now = nanos.getAsLong();
        String key = key(meta);
        if (pending.size() >= MAX_PENDING && !pending.containsKey(key)) {
            pending.values().removeIf(w -> now - w.at() > FORGET_AFTER.toNanos());
            if (pending.size() >= MAX_PENDING) {
                return;
            }
        }
        pending.put(key, new Written(meta.getResourceVersion(), now));
    }

    /** The informer delivered {@code pod}; if it is the version of a write of ours, the lag is recorded. */
    public void seen(Pod pod) {
        ObjectMeta meta = pod.getMetadata();
        if (pending.isEmpty() || meta == null) {
            return;
        }
        String key = key(meta);
        Written written = pending.get(key);
        if (written == null) {
            return;
        }
        long now = nanos.getAsLong();
        if (written.resourceVersion().equals(meta.getResourceVersion())) {
            if (pending.remove(key, written)) {
                lag.record(Duration.ofNanos(now - written.at()));
            }
        } else if (now - written.at() > FORGET_AFTER.toNanos()) {
            pending.remove(key, written);
        }
    }

    /** Writes still awaited. */
    int pending() {
        return pending.size();
    }

    private static String key(ObjectMeta meta) {
        return meta.getNamespace() + "/" + meta.getName();
    }
}
