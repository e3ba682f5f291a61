package dev.gpushare.ops;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.VersionInfo;
import java.util.Optional;

/**
 * Reads {@link ClusterFacts} for a release: a few GETs and two LISTs (all nodes, all pods). The Lease is the one the
 * scheduler Deployment names ({@code HAMI_LEADERELECTION_LEASENAME}, as the chart sets it).
 */
public final class ClusterReader {

    private ClusterReader() {
    }

    public static ClusterFacts read(KubernetesClient client, Release release) {
        String ns = release.namespace();
        Optional<Deployment> scheduler = Optional.ofNullable(client.apps().deployments().inNamespace(ns)
                .withName(release.schedulerDeployment()).get());
        return new ClusterFacts(version(client), scheduler,
                Optional.ofNullable(client.apps().daemonSets().inNamespace(ns).withName(release.devicePluginDaemonSet()).get()),
                Optional.ofNullable(client.admissionRegistration().v1().mutatingWebhookConfigurations()
                        .withName(release.webhookConfiguration()).get()),
                Optional.ofNullable(client.secrets().inNamespace(ns).withName(release.tlsSecret()).get()),
                SchedulerSettings.cutOffSecret(scheduler)
                        .map(name -> client.secrets().inNamespace(ns).withName(name).get()),
                Optional.ofNullable(client.leases().inNamespace(ns)
                        .withName(SchedulerSettings.leaseName(scheduler)).get()),
                client.nodes().list().getItems(),
                client.pods().inAnyNamespace().list().getItems());
    }

    private static Optional<String> version(KubernetesClient client) {
        try {
            VersionInfo info = client.getKubernetesVersion();
            return Optional.ofNullable(info == null ? null : info.getGitVersion());
        } catch (KubernetesClientException e) {
            if (e.getCode() == 403) {
                throw e;
            }
            return Optional.empty();
        }
    }
}
