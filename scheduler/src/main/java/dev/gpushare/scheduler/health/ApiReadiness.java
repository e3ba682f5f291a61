package dev.gpushare.scheduler.health;

import java.util.Map;
import java.util.TreeMap;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The {@code kubernetes} contributor of the readiness groups: DOWN while the API is unreachable, with since when and
 * which part fails with which error; the process stays live (the parts recover by themselves).
 */
public final class ApiReadiness implements HealthIndicator {

    private final ApiReachability reachability;

    public ApiReadiness(ApiReachability reachability) {
        this.reachability = reachability;
    }

    @Override
    public Health health() {
        ApiReachability.Status status = reachability.status();
        if (status.reachable()) {
            return Health.up().build();
        }
        Map<String, String> failing = new TreeMap<>();
        status.failing().forEach((part, failure) -> failing.put(part, failure.error() + " (since "
                + failure.since() + ")"));
        return Health.down().withDetail("reason", "kubernetes API unreachable since "
                + status.unreachableSince().orElseThrow()).withDetail("failing", failing).build();
    }
}
