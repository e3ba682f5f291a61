package dev.gpushare.scheduler.kube;

import dev.gpushare.common.request.PodRequestParser;
import dev.gpushare.scheduler.config.HamiProperties;
import dev.gpushare.scheduler.embedded.KubectlDispatcher;
import dev.gpushare.scheduler.lock.NodeLockService;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The Kubernetes client of {@code hami.kubernetes.mode}: a real cluster, or the embedded API ({@code auto} is
 * resolved to one of the two before this runs, see {@code ModeEnvironmentPostProcessor}).
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

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(name = "hami.kubernetes.mode", havingValue = "embedded", matchIfMissing = true)
    static class Embedded {

        @Bean
        @ConditionalOnMissingBean
        ApiServerDispatcher apiServerDispatcher() {
            return new ApiServerDispatcher();
        }

        @Bean
        KubectlDispatcher kubectlDispatcher(ApiServerDispatcher store, Clock clock) {
            return new KubectlDispatcher(store, clock);
        }

        @Bean(destroyMethod = "close")
        EmbeddedApiServer embeddedApiServer(KubectlDispatcher dispatcher, HamiProperties properties) {
            int port = properties.embedded().api().port();
            EmbeddedApiServer server;
            try {
                server = EmbeddedApiServer.start(dispatcher, port);
            } catch (RuntimeException e) {
                throw new IllegalStateException("the embedded Kubernetes API cannot listen on 127.0.0.1:" + port
                        + " (hami.embedded.api.port; 0 picks a free port): " + e.getMessage(), e);
            }
            log.info("kubernetes api={} (embedded: in-process, simulated GPU nodes)", server.url());
            return server;
        }

        @Bean(destroyMethod = "close")
        KubernetesClient kubernetesClient(EmbeddedApiServer server) {
            return server.newClient();
        }

        @Bean
        EmbeddedClusterSeeder embeddedClusterSeeder(KubernetesClient client, HamiProperties properties) {
            return new EmbeddedClusterSeeder(client, properties.embedded());
        }

        @Bean(initMethod = "start", destroyMethod = "close")
        @ConditionalOnProperty(name = "hami.embedded.device-plugin.enabled", havingValue = "true",
                matchIfMissing = true)
        DevicePluginEmulator devicePluginEmulator(KubernetesClient client, NodeLockService locks,
                                                  PodRequestParser parser, HamiProperties properties) {
            return new DevicePluginEmulator(client, locks, parser,
                    properties.embedded().devicePlugin().allocationDelay());
        }
    }
}
