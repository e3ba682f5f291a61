package dev.gpushare.scheduler.admission;

import dev.gpushare.common.config.DeviceConfig;
import dev.gpushare.scheduler.config.HamiProperties;
import dev.gpushare.scheduler.state.ClusterState;
import dev.gpushare.webhook.AdmissionReviewHandler;
import dev.gpushare.webhook.MutatorConfig;
import dev.gpushare.webhook.PodMutator;
import dev.gpushare.webhook.QuotaLookup;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Set;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The admission webhook's parts: the pure handler from {@code webhook/}, configured from {@code hami.*} and the
 * device config the scheduler loaded, with quota headroom read from the scheduler's ledger.
 */
@Configuration(proxyBeanMethods = false)
class WebhookConfiguration {

    @Bean
    QuotaLookup webhookQuotaLookup(ClusterState state) {
        return new ClusterStateQuotaLookup(state);
    }

    @Bean
    AdmissionReviewHandler admissionReviewHandler(HamiProperties properties, DeviceConfig deviceConfig,
                                                  QuotaLookup quota) {
        MutatorConfig config = new MutatorConfig(properties.schedulerName(),
                properties.webhook().forceOverwriteDefaultScheduler(), deviceConfig,
                properties.compat().allocationEncoding());
        return new AdmissionReviewHandler(new PodMutator(config, quota),
                Set.copyOf(properties.webhook().annotationWriters()));
    }

    @Bean
    AdmissionMetrics admissionMetrics(MeterRegistry meters) {
        return new AdmissionMetrics(meters);
    }
}
