package dev.gpushare.scheduler.leader;

import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.scheduler.kube.MergePatch;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code hami.readiness.mode=always}: every replica is ready, so a Service reaches the leader through the label
 * {@value HamiKeys#SCHEDULER_ROLE}. The leader labels its own pod {@code leader} first (so the Service never has no
 * endpoint), then every peer {@code follower}; peers are the pods of its namespace with the same value of the peer
 * label (the chart's {@code app.kubernetes.io/component}). A replica that loses the leadership labels itself {@code follower}.
 * Only pods whose label differs are patched (JSON merge patch); failures are logged and retried by the next pass.
 */
public final class RoleLabeler {

    private static final Logger log = LoggerFactory.getLogger(RoleLabeler.class);

    private final KubernetesClient client;
    private final PodRef self;
    private final String peerLabel;

    public RoleLabeler(KubernetesClient client, PodRef self, String peerLabel) {
        this.client = client;
        this.self = self;
        this.peerLabel = peerLabel;
    }

    /** As the leader: own pod {@code leader}, peers {@code follower}; returns how many pods were patched. */
    public int lead() {
        Pod own;
        try {
            own = client.pods().inNamespace(self.namespace()).withName(self.name()).get();
        } catch (KubernetesClientException e) {
            log.warn("role labels not updated: cannot read own pod {}: {}", self, e.getMessage());
            return 0;
        }
        if (own == null) {
            log.warn("role labels not updated: own pod {} not found (check POD_NAME and POD_NAMESPACE)", self);
            return 0;
        }
        int patched = label(own, HamiKeys.SCHEDULER_ROLE_LEADER) ? 1 : 0;
        String group = labels(own).get(peerLabel);
        if (group == null) {
            log.warn("own pod {} has no label {}: its peers are not labelled {}", self, peerLabel,
                    HamiKeys.SCHEDULER_ROLE_FOLLOWER);
            return patched;
        }
        try {
            for (Pod peer : client.pods().inNamespace(self.namespace()).withLabel(peerLabel, group).list()
                    .getItems()) {
                if (!self.name().equals(peer.getMetadata().getName())
                        && label(peer, HamiKeys.SCHEDULER_ROLE_FOLLOWER)) {
                    patched++;
                }
            }
        } catch (KubernetesClientException e) {
            log.warn("role labels of the peers of {} not updated: cannot list them: {}", self, e.getMessage());
        }
        return patched;
    }

    /** After losing the leadership: own pod {@code follower}. */
    public void follow() {
        try {
            patch(self.name(), HamiKeys.SCHEDULER_ROLE_FOLLOWER);
        } catch (KubernetesClientException e) {
            log.warn("cannot label own pod {} {}={}: {}", self, HamiKeys.SCHEDULER_ROLE,
                    HamiKeys.SCHEDULER_ROLE_FOLLOWER, e.getMessage());
        }
    }

    /** Sets the role of a pod unless it has it already; returns whether it was patched. */
    private boolean label(Pod pod, String role) {
        if (role.equals(labels(pod).get(HamiKeys.SCHEDULER_ROLE))) {
            return false;
        }
        try {
            patch(pod.getMetadata().getName(), role);
            return true;
        } catch (KubernetesClientException e) {
            log.warn("cannot label pod {}/{} {}={}: {}", self.namespace(), pod.getMetadata().getName(),
                    HamiKeys.SCHEDULER_ROLE, role, e.getMessage());
            return false;
        }
    }

    private void patch(String name, String role) {
        MergePatch.metadata().label(HamiKeys.SCHEDULER_ROLE, role).applyToPod(client, self.namespace(), name);
    }

    private static Map<String, String> labels(Pod pod) {
        Map<String, String> labels = pod.getMetadata().getLabels();
        return labels == null ? Map.of() : labels;
    }
}
