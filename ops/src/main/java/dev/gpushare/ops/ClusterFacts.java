package dev.gpushare.ops;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.util.List;
import java.util.Optional;

/**
 * Everything the ops commands judge, read once from the API ({@link ClusterReader}); the checks, the export and
 * the restore plan are pure functions of it.
 *
 * @param kubernetesVersion the API server's {@code gitVersion}, e.g. {@code v1.30.2}; empty when unreadable
 * @param sealSecret        the Secret holding the scheduler's cut-off for unsealed allocations, if its Deployment
 *                          refers to one ({@link SchedulerSettings#cutOffSecret})
 * @param pods              every pod of every namespace
 */
public record ClusterFacts(Optional<String> kubernetesVersion, Optional<Deployment> scheduler,
                           Optional<DaemonSet> devicePlugin, Optional<MutatingWebhookConfiguration> webhook,
                           Optional<Secret> tlsSecret, Optional<Secret> sealSecret, Optional<Lease> lease,
                           List<Node> nodes, List<Pod> pods) {

    public ClusterFacts {
        nodes = List.copyOf(nodes);
        pods = List.copyOf(pods);
    }
}
