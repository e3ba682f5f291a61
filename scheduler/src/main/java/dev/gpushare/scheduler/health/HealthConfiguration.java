package dev.gpushare.scheduler.health;

import java.time.Clock;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The probes' view of the Kubernetes API: readiness follows reachability, liveness only what cannot recover. */
@Configuration(proxyBeanMethods = false)
public class HealthConfiguration {

    @Bean
    ApiReachability apiReachability(Clock clock) {
        return new ApiReachability(clock);
    }

    @Bean(destroyMethod = "close")
    InformerWatchdog informerWatchdog(ApiReachability reachability, Clock clock) {
        return new InformerWatchdog(reachability, clock);
    }

    /** The {@code kubernetes} contributor of the readiness groups. */
    @Bean
    HealthIndicator kubernetesHealthIndicator(ApiReachability reachability) {
        return new ApiReadiness(reachability);
    }

    /**
     * The {@code informers} contributor of the liveness groups: DOWN only when an informer has stopped, which it
     * never recovers from (an outage does not stop them: they retry), so a restart is the only way back.
     */
    @Bean
    HealthIndicator informersHealthIndicator(InformerWatchdog watchdog) {
        return () -> watchdog.stopped()
                .map(part -> Health.down().withDetail("reason", part + " has stopped and does not restart by"
                        + " itself").build())
                .orElseGet(() -> Health.up().build());
    }
}
