package dev.gpushare.scheduler.state;

import dev.gpushare.scheduler.metrics.Latency;
import io.fabric8.kubernetes.api.model.Pod;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * How long our own pod writes take to come back through the pod informer ({@code gpushare_informer_lag_seconds}):
 * from the API server's answer to a write of ours (the placement annotations, {@code bind-phase}) to the informer
 * delivering that {@code resourceVersion}. Every decision made from the informer's view of a pod pays this delay
 * (the ledger counting a bound pod, a waiting bind being woken, a reconcile). At most {@value #MAX_PENDING} writes
 * are awaited; a write whose version never arrives (a later write overtook it) is forgotten after
 * {@link #FORGET_AFTER}.
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

    InformerLag(MeterRegistry meters, LongSupplier nanos) {
        this.lag = Latency.timer(meters, "gpushare_informer_lag", "time from the API server answering a pod write of"
                + " ours to the pod informer delivering that version");
        this.nanos = nanos;
    }

    /** A write of ours was answered with {@code written}; its version is now awaited from the informer. */
    public void wrote(Pod written) {
        if (written == null || written.getMetadata() == null || written.getMetadata().getResourceVersion() == null) {
            return;
        }
        long now = nanos.getAsLong();
        if (pending.size() >= MAX_PENDING) {
            pending.values().removeIf(w -> now - w.at() > FORGET_AFTER.toNanos());
            if (pending.size() >= MAX_PENDING) {
                return;
            }
        }
        pending.put(key(written), new Written(written.getMetadata().getResourceVersion(), now));
    }

    /** The informer delivered {@code object}; if it is the version of a write of ours, the lag is recorded. */
    public void seen(Pod object) {
        if (pending.isEmpty() || object.getMetadata() == null) {
            return;
        }
        String key = key(object);
        Written written = pending.get(key);
        if (written != null && written.resourceVersion().equals(object.getMetadata().getResourceVersion())
                && pending.remove(key, written)) {
            lag.record(Duration.ofNanos(nanos.getAsLong() - written.at()));
        }
    }

    private static String key(Pod pod) {
        return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    }
}
