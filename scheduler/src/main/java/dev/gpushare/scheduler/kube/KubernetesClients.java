package dev.gpushare.scheduler.kube;

import io.fabric8.kubernetes.client.ConfigBuilder;

/** Client settings shared by both modes. */
public final class KubernetesClients {

    private KubernetesClients() {
    }

    /**
     * No client-side throttling worth the name (HAMi's client is capped at 5 QPS, which serialises bursts of binds):
     * the API server's priority and fairness is the limit. Few retries and a bounded request time, so a verb stays
     * well inside kube-scheduler's 30 s extender timeout.
     */
    public static ConfigBuilder tune(ConfigBuilder config) {
        return config.withMaxConcurrentRequests(1024)
                .withMaxConcurrentRequestsPerHost(1024)
                .withRequestTimeout(10_000)
                .withConnectionTimeout(5_000)
                .withRequestRetryBackoffLimit(2)
                .withRequestRetryBackoffInterval(200);
    }
}
