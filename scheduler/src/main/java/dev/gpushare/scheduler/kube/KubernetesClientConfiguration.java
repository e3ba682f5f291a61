package dev.gpushare.scheduler.kube;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The Kubernetes client of {@code hami.kubernetes.mode=cluster}; the embedded mode's client is made by
 * {@code EmbeddedClusterConfiguration} ({@code auto} is resolved to one of the two before this runs, see
 * {@code ModeEnvironmentPostProcessor}).
 */
@Configuration(proxyBeanMethods = false)
public class KubernetesClientConfiguration {

    private static final Logger log = LoggerFactory.getLogger(KubernetesClientConfiguration.class);

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(name = "hami.kubernetes.mode", havingValue = "cluster")
    static class Cluster {

        /** fabric8's auto-configuration: in-cluster service account, {@code KUBECONFIG} or {@code ~/.kube/config}. */
        @Bean(destroyMethod = "close")
        KubernetesClient kubernetesClient() {
            KubernetesClient client = new KubernetesClientBuilder()
                    .withConfig(KubernetesClients.tune(new ConfigBuilder()).build()).build();
            log.info("kubernetes api={} (cluster)", client.getMasterUrl());
            return client;
        }
    }
}
