package dev.gpushare.scheduler.leader;

import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.scheduler.kube.MergePatch;
import dev.gpushare.scheduler.health.ApiReachability;
import dev.gpushare.scheduler.state.ClusterInformers;
import dev.gpushare.scheduler.state.ClusterState;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger of {@link ClusterState} fed by {@link ClusterInformers}, as a new leadership term needs it.
 *
 * <p>Catching up: an informer store may lag the API by the watch latency, and the previous leader's last filter may
 * have annotated a pod just before it gave the lease away. So a new term first writes a marker annotation
 * ({@value HamiKeys#SCHEDULER_TERM}) on this replica's own pod and waits until its pod informer shows it: a watch delivers
 * events in order, so every pod write made before the marker is then in the store. Without {@code POD_NAME} and
 * {@code POD_NAMESPACE} (a local run) there is no own pod and no such wait.
 */
public final class InformerLedger implements LeaderLedger {

    private static final Logger log = LoggerFactory.getLogger(InformerLedger.class);
    private static final long POLL_MILLIS = 10;

    private final ClusterInformers informers;
    private final ClusterState state;
    private final KubernetesClient client;
    private final PodRef self;
    /** Makes markers of different processes differ: a restarted process counts its terms from 1 again. */
    private final String process = UUID.randomUUID().toString();
    private volatile boolean selfMissingReported;
    /** The term whose failed marker write was logged: once per term, not per retry. */
    private volatile long markFailureReportedTerm;

    /** @param self this replica's pod, or {@code null} when unknown */
    public InformerLedger(ClusterInformers informers, ClusterState state, KubernetesClient client, PodRef self) {
        this.informers = informers;
        this.state = state;
        this.client = client;
        this.self = self;
        if (self == null) {
            log.info("no POD_NAME/POD_NAMESPACE: a new leadership term rebuilds from the informer stores without"
                    + " first waiting for them to catch up with the API");
        }
    }

    @Override
    public boolean catchUp(long term, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            informers.storesSynced().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            // ClusterInformers has logged it; the ledger cannot be rebuilt until the process restarts.
            return false;
        }
        if (self == null) {
            return true;
        }
        String marker = process + "/" + term;
        try {
            MergePatch.metadata().annotation(HamiKeys.SCHEDULER_TERM, marker).applyToPod(client, self.namespace(),
                    self.name());
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
                if (!selfMissingReported) {
                    selfMissingReported = true;
                    log.warn("own pod {} not found: leadership terms rebuild without waiting for the informers to"
                            + " catch up (check POD_NAME and POD_NAMESPACE)", self);
                }
                return true;
            }
            if (markFailureReportedTerm != term) {
                markFailureReportedTerm = term;
                log.warn("cannot mark own pod {} for leadership term {}: {}; retrying until it works", self, term,
                        ApiReachability.describe(e));
            }
            return false;
        }
        while (!marker.equals(cachedMarker())) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(POLL_MILLIS);
        }
        return true;
    }

    private String cachedMarker() {
        Pod pod = informers.cachedPod(self.namespace(), self.name()).orElse(null);
        Map<String, String> annotations = pod == null ? null : pod.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(HamiKeys.SCHEDULER_TERM);
    }

    @Override
    public Rebuilt rebuild() {
        ClusterInformers.Rebuilt rebuilt = informers.rebuild();
        return new Rebuilt(rebuilt.nodes(), rebuilt.pods(), rebuilt.entries(), rebuilt.repairs().total());
    }

    @Override
    public int relinquish() {
        int dropped = state.dropReservations();
        state.markUnsynced();
        return dropped;
    }
}
