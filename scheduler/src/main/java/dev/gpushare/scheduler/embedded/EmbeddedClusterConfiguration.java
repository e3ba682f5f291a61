package dev.gpushare.scheduler.embedded;

import dev.gpushare.common.request.PodRequestParser;
import dev.gpushare.scheduler.config.HamiProperties;
import dev.gpushare.scheduler.lock.NodeLockService;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@code hami.kubernetes.mode=embedded}: an API server in this process (fabric8's mock server in CRUD mode with
 * {@link ApiServerDispatcher}), simulated GPU nodes ({@link EmbeddedClusterSeeder}) and the device-plugin emulator.
 * Nothing outside this package uses the mock server.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "hami.kubernetes.mode", havingValue = "embedded", matchIfMissing = true)
public class EmbeddedClusterConfiguration {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedClusterConfiguration.class);

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
