package dev.gpushare.scheduler.embedded;

import dev.gpushare.common.request.PodRequestParser;
import dev.gpushare.scheduler.config.HamiProperties;
import dev.gpushare.scheduler.lock.NodeLockService;
import io.fabric8.kubernetes.client.KubernetesClient;
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

    @Bean(destroyMethod = "close")
    EmbeddedApiServer embeddedApiServer(ApiServerDispatcher dispatcher) {
        EmbeddedApiServer server = EmbeddedApiServer.start(dispatcher, 0);
        log.info("kubernetes mode=embedded api={} (in-process, simulated GPU nodes)", server.url());
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
