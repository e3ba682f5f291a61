package dev.gpushare.scheduler.embedded;

import dev.gpushare.scheduler.config.HamiProperties;
import dev.gpushare.scheduler.events.EventRecorder;
import dev.gpushare.scheduler.listener.ExtenderListener;
import java.time.Clock;
import org.springframework.core.env.Environment;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What makes the embedded cluster a place to work in: the kubeconfig for kubectl, the namespaces every cluster
 * has, and (below) the stand-ins for kube-scheduler and kubelet.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "hami.kubernetes.mode", havingValue = "embedded", matchIfMissing = true)
class EmbeddedSchedulingConfiguration {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedSchedulingConfiguration.class);

    @Bean(destroyMethod = "close")
    @ConditionalOnExpression("!'${hami.embedded.api.kubeconfig:gpushare.kubeconfig}'.isBlank()")
    KubeconfigFile kubeconfigFile(EmbeddedApiServer api, HamiProperties properties) {
        KubeconfigFile file = KubeconfigFile.write(Path.of(properties.embedded().api().kubeconfig()),
                "http://127.0.0.1:" + api.port());
        log.info("embedded API kubeconfig={} (try: kubectl --kubeconfig {} get nodes)", file.path(), file.path());
        return file;
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnProperty(name = "hami.embedded.scheduling.enabled", havingValue = "true", matchIfMissing = true)
    EmbeddedKubeScheduler embeddedKubeScheduler(KubectlDispatcher api, KubernetesClient client,
                                                ExtenderListener extender, EventRecorder events,
                                                HamiProperties properties, Environment environment, Clock clock) {
        HamiProperties.Scheduling scheduling = properties.embedded().scheduling();
        return new EmbeddedKubeScheduler(api, Path.of(environment.getRequiredProperty("hami.webhook.tls.cert-file")),
                extender::port, verbs -> new EmbeddedKubeScheduler.Parts(
                        new SchedulingDriver(client, properties.schedulerName(), verbs,
                                new PodStatusWriter(client, events, clock),
                                new SchedulingQueue<>(clock, scheduling.initialBackoff(), scheduling.maxBackoff(),
                                        scheduling.maxUnschedulable())),
                        new KubeletEmulator(client, clock)));
    }

    @Bean(initMethod = "start", destroyMethod = "close")
    @ConditionalOnProperty(name = "hami.embedded.demo.enabled", havingValue = "true")
    DemoWorkload demoWorkload(KubernetesClient client, HamiProperties properties, Clock clock) {
        HamiProperties.Embedded embedded = properties.embedded();
        HamiProperties.Demo demo = embedded.demo();
        String uuid = EmbeddedClusterSeeder.devices(embedded.nodePrefix() + 1, 1, embedded.model(),
                embedded.memoryMib(), embedded.splitCount()).get(0).id();
        return new DemoWorkload(client, clock, demo.interval(), demo.runFor(), demo.maxPods(), uuid);
    }

    @Bean
    EmbeddedNamespaces embeddedNamespaces(KubernetesClient client) {
        return new EmbeddedNamespaces(client);
    }

    /** {@code default} and {@code kube-system}, as every cluster has them, and the demo's namespace. */
    static final class EmbeddedNamespaces {
        EmbeddedNamespaces(KubernetesClient client) {
            for (String name : new String[] {"default", "kube-system", DemoWorkload.NAMESPACE}) {
                client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata()
                        .build()).createOr(existing -> existing.update());
            }
        }
    }
}
