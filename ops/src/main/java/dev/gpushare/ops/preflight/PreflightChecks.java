package dev.gpushare.ops.preflight;

import dev.gpushare.ops.ClusterFacts;
import dev.gpushare.ops.Release;
import dev.gpushare.ops.SchedulerSettings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The pre-upgrade checklist, in the order an operator reads it: the control plane and the release, the GPU nodes,
 * the webhook and its certificate, node locks, allocations, pods. Pure: {@link ClusterFacts} in, lines out.
 */
public final class PreflightChecks {

    private PreflightChecks() {
    }

    public static List<Check> evaluate(ClusterFacts facts, Release release, PreflightSettings settings, Instant now) {
        List<Check> checks = new ArrayList<>();
        checks.addAll(ReleaseChecks.kubernetesVersion(facts.kubernetesVersion()));
        checks.addAll(ReleaseChecks.kubeSchedulerSkew(facts));
        checks.addAll(ReleaseChecks.scheduler(facts, release));
        checks.addAll(ReleaseChecks.devicePlugin(facts, release));
        checks.addAll(ReleaseChecks.allocationEncoding(facts));
        checks.addAll(NodeChecks.gpuNodes(facts.nodes(), settings, now));
        checks.addAll(WebhookChecks.webhook(facts, release, settings, now));
        checks.addAll(NodeChecks.locks(facts, settings, now));
        checks.addAll(PodChecks.allocations(facts.pods()));
        checks.addAll(PodChecks.seals(facts.pods(),
                SchedulerSettings.unsealedPolicy(facts.scheduler(), facts.sealSecret())));
        checks.addAll(PodChecks.allocating(facts.pods(), settings, now));
        checks.addAll(PodChecks.schedulerNames(facts.pods(), release));
        checks.addAll(NodeChecks.driverUpgrades(facts));
        return checks;
    }
}
