package dev.gpushare.scheduler.gpuview;

import dev.gpushare.scheduler.events.DecisionLog;
import dev.gpushare.scheduler.config.HamiProperties;
import dev.gpushare.scheduler.leader.Leadership;
import dev.gpushare.scheduler.state.ClusterInformers;
import dev.gpushare.scheduler.state.ClusterState;
import dev.gpushare.scheduler.state.LedgerView;
import java.time.Clock;
import java.time.Duration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The parts of the GPU page that live in the main context (the controller is on the management listener). */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "hami.ui.enabled", havingValue = "true", matchIfMissing = true)
class GpuPageConfiguration {

    @Bean
    GpuPageService gpuPageService(ClusterState state, ClusterInformers informers, Leadership leadership,
                                  DecisionLog decisions, HamiProperties properties, Clock clock) {
        // The ledger's read view: the snapshots the verbs use, taken under the state's lock in one go.
        LedgerReader ledger = () -> {
            LedgerView view = state.view();
            return new GpuPage.Ledger(view.nodes(), view.pods());
        };
        return new GpuPageService(ledger, informers::cachedPods, leadership,
                decisions, properties.kubernetes().mode().name().toLowerCase(java.util.Locale.ROOT),
                properties.schedulerName(), new GpuPage.Policy(
                        properties.policy().node().name().toLowerCase(java.util.Locale.ROOT),
                        properties.policy().gpu().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')),
                clock);
    }

    @Bean(destroyMethod = "close")
    GpuPageStream gpuPageStream(GpuPageService pages, HamiProperties properties) {
        return new GpuPageStream(pages, properties.ui().refresh());
    }
}
