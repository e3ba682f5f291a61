package dev.gpushare.scheduler.leader;

import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.scheduler.config.HamiProperties;
import dev.gpushare.scheduler.health.InformerWatchdog;
import dev.gpushare.scheduler.state.ClusterInformers;
import dev.gpushare.scheduler.state.ClusterState;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Leader election ({@code hami.leader-election.*}) and the readiness it gates ({@code hami.readiness.*}). */
@Configuration(proxyBeanMethods = false)
public class LeadershipConfiguration {

    private static final Logger log = LoggerFactory.getLogger(LeadershipConfiguration.class);
    /** One attempt of a new term to let the informers catch up; retried while the term lasts. */
    private static final Duration CATCH_UP_TIMEOUT = Duration.ofSeconds(5);
    /** Verbs write for milliseconds; a shutdown waits this long for them before giving the lease away. */
    private static final Duration DRAIN = Duration.ofSeconds(5);
    /** As often as HAMi's registration pass relabels the pods. */
    private static final Duration RELABEL_INTERVAL = Duration.ofSeconds(15);

    @Bean
    LeaseSource leaseSource(HamiProperties properties, KubernetesClient client, InformerWatchdog watchdog,
                            Clock clock) {
        HamiProperties.LeaderElection election = properties.leaderElection();
        return switch (election.mode()) {
            case NONE -> new SoleReplica(election.identity());
            case FOLLOW -> new FollowedLease(client, election.leaseNamespace(), election.leaseName(),
                    election.identity(), watchdog);
            case ELECT -> new ElectedLease(client, election.leaseNamespace(), election.leaseName(),
                    election.identity(), new ElectedLease.Timing(election.leaseDuration(), election.renewDeadline(),
                    election.retryPeriod()), watchdog.reachability(), clock);
        };
    }

    @Bean
    Leadership leadership(HamiProperties properties, LeaseSource source) {
        return new Leadership(properties.leaderElection().identity(), source.describe());
    }

    @Bean
    LeadershipCoordinator leadershipCoordinator(Leadership leadership, LeaseSource source, ClusterInformers informers,
                                                ClusterState state, KubernetesClient client,
                                                HamiProperties properties, Clock clock, MeterRegistry meters) {
        Optional<PodRef> self = PodRef.of(properties.pod().namespace(), properties.pod().name());
        RoleLabeler labeler = null;
        if (properties.readiness().mode() == HamiProperties.ReadinessMode.ALWAYS) {
            if (self.isPresent()) {
                labeler = new RoleLabeler(client, self.get(), properties.readiness().peerLabel());
            } else {
                log.info("hami.readiness.mode=always without POD_NAME/POD_NAMESPACE: no {} labels are written",
                        HamiKeys.SCHEDULER_ROLE);
            }
        }
        return new LeadershipCoordinator(leadership, source,
                new InformerLedger(informers, state, client, self.orElse(null)), labeler, clock,
                new LeadershipCoordinator.Settings(CATCH_UP_TIMEOUT, DRAIN, RELABEL_INTERVAL), meters);
    }

    /** The {@code leadership} contributor of the readiness groups. */
    @Bean
    HealthIndicator leadershipHealthIndicator(Leadership leadership, HamiProperties properties) {
        return new LeadershipReadiness(leadership,
                properties.readiness().mode() == HamiProperties.ReadinessMode.LEADER);
    }
}
