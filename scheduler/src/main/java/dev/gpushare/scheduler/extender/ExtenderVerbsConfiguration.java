package dev.gpushare.scheduler.extender;

import dev.gpushare.scheduler.config.HamiProperties;
import dev.gpushare.scheduler.leader.Leadership;
import dev.gpushare.scheduler.metrics.ScrapeTimeCollector;
import dev.gpushare.scheduler.state.ClusterInformers;
import io.micrometer.core.instrument.MeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The verbs' pipeline ({@link ExtenderVerbs}), their meters, and {@code gpushare_pending_pods} computed on each
 * scrape from the informer store.
 */
@Configuration(proxyBeanMethods = false)
class ExtenderVerbsConfiguration {

    @Bean
    ExtenderVerbs extenderVerbs(FilterService filter, BindService bind, Leadership leadership,
                                HamiProperties properties, VerbMetrics metrics, PendingPods pending) {
        return new ExtenderVerbs(filter, bind, leadership, properties.extender().syncWait(), metrics, pending);
    }

    @Bean
    VerbMetrics verbMetrics(MeterRegistry meters) {
        return new VerbMetrics(meters);
    }

    @Bean
    PendingPods pendingPods(PrometheusRegistry registry, ClusterInformers informers) {
        PendingPods pending = new PendingPods();
        registry.register(new ScrapeTimeCollector(List.of("gpushare_pending_pods"), () -> List.of(
                pending.family((uid, waiting) -> informers.cachedPod(waiting.namespace(), waiting.name())
                        .filter(pod -> uid.equals(pod.getMetadata().getUid())
                                && pod.getMetadata().getDeletionTimestamp() == null
                                && (pod.getSpec() == null || pod.getSpec().getNodeName() == null
                                || pod.getSpec().getNodeName().isEmpty()))
                        .isPresent()))));
        return pending;
    }
}
