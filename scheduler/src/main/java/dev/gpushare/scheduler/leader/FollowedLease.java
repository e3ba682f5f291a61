package dev.gpushare.scheduler.leader;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseSpec;
import dev.gpushare.scheduler.health.InformerWatchdog;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Instant;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code hami.leader-election.mode=follow}: the kube-scheduler beside us in the pod holds the Lease; we lead while
 * its {@code holderIdentity} names this pod and {@code renewTime + leaseDurationSeconds} has not passed. Watches that
 * one Lease with an informer; expiry without a further event is judged by the listener.
 */
public final class FollowedLease implements LeaseSource {

    private static final Logger log = LoggerFactory.getLogger(FollowedLease.class);

    private final KubernetesClient client;
    private final String namespace;
    private final String name;
    private final String identity;
    private final InformerWatchdog watchdog;
    private SharedIndexInformer<Lease> informer;

    public FollowedLease(KubernetesClient client, String namespace, String name, String identity,
                         InformerWatchdog watchdog) {
        this.watchdog = watchdog;
        this.client = client;
        this.namespace = namespace;
        this.name = name;
        this.identity = identity;
    }

    /**
     * Whether a holder identity names this replica. kube-scheduler writes {@code <hostname>_<uuid>}; the part before
     * the first {@code _} must equal our identity exactly. (HAMi tests for a prefix, so {@code pod-1} would also lead
     * while {@code pod-10} holds the lease.)
     */
    static boolean namesReplica(String holderIdentity, String identity) {
        if (holderIdentity == null || holderIdentity.isEmpty()) {
            return false;
        }
        int separator = holderIdentity.indexOf('_');
        String host = separator < 0 ? holderIdentity : holderIdentity.substring(0, separator);
        return host.equals(identity);
    }

    /** What a Lease (or its absence, {@code null}) means for this replica. */
    LeaseStatus status(Lease lease) {
        LeaseSpec spec = lease == null ? null : lease.getSpec();
        String holder = spec == null || spec.getHolderIdentity() == null ? "" : spec.getHolderIdentity();
        if (!namesReplica(holder, identity)) {
            return LeaseStatus.notOurs(holder);
        }
        if (spec.getRenewTime() == null || spec.getLeaseDurationSeconds() == null) {
            log.warn("lease {}/{} names this replica but has no renewTime or leaseDurationSeconds; not leading",
                    namespace, name);
            return LeaseStatus.notOurs(holder);
        }
        Instant until = spec.getRenewTime().toInstant().plusSeconds(spec.getLeaseDurationSeconds());
        return LeaseStatus.ours(holder, until);
    }

    @Override
    public void start(Consumer<LeaseStatus> listener) {
        // Retried through outages (also one at start-up); a relist delivers whatever changed meanwhile.
        informer = watchdog.retrying(client.leases().inNamespace(namespace).withName(name).runnableInformer(0),
                "informer " + describe(), () -> { });
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Lease lease) {
                listener.accept(status(lease));
            }

            @Override
            public void onUpdate(Lease oldLease, Lease lease) {
                listener.accept(status(lease));
            }

            @Override
            public void onDelete(Lease lease, boolean deletedFinalStateUnknown) {
                listener.accept(status(null));
            }
        });
        informer.start().whenComplete((ok, error) -> {
            if (error != null) {
                log.error("cannot watch {} (check the Role allows get/list/watch on leases)", describe(), error);
            }
        });
    }

    @Override
    public void close() {
        if (informer != null) {
            watchdog.forget("informer " + describe());
            informer.close();
        }
    }

    @Override
    public String describe() {
        return "lease " + namespace + "/" + name;
    }
}
