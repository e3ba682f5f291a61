package dev.gpushare.ops.preflight;

import dev.gpushare.common.annotation.AllocationCodec;
import dev.gpushare.common.annotation.BindPhase;
import dev.gpushare.common.annotation.Excerpt;
import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.common.annotation.MalformedAnnotationException;
import dev.gpushare.common.seal.PlacementTrust;
import dev.gpushare.ops.GpuPods;
import dev.gpushare.ops.Release;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Allocation annotations and their seals, pods stuck {@code allocating}, GPU pods of other schedulers. */
final class PodChecks {

    private PodChecks() {
    }

    static List<Check> allocations(List<Pod> pods) {
        String name = "allocations";
        List<Check> problems = new ArrayList<>();
        int holding = 0;
        for (Pod pod : live(pods)) {
            Map<String, String> annotations = GpuPods.annotations(pod);
            for (String key : List.of(HamiKeys.DEVICES_ALLOCATED, HamiKeys.DEVICES_TO_ALLOCATE)) {
                String value = annotations.get(key);
                if (value == null) {
                    continue;
                }
                try {
                    AllocationCodec.decode(value);
                    if (key.equals(HamiKeys.DEVICES_ALLOCATED)) {
                        holding++;
                    }
                } catch (MalformedAnnotationException e) {
                    problems.add(Check.fail(name, "pod " + GpuPods.key(pod) + ": " + key + " undecodable: "
                            + e.getMessage()));
                }
            }
            if (annotations.containsKey(HamiKeys.DEVICES_ALLOCATED) && !annotations.containsKey(HamiKeys.VGPU_NODE)) {
                problems.add(Check.fail(name, "pod " + GpuPods.key(pod) + " has " + HamiKeys.DEVICES_ALLOCATED
                        + " but no " + HamiKeys.VGPU_NODE + ": no scheduler counts its GPUs"));
            }
        }
        if (problems.isEmpty()) {
            return List.of(Check.pass(name, holding + " pods hold GPUs, every allocation annotation decodable"));
        }
        return problems;
    }

    /**
     * Allocations without a placement seal, judged by the scheduler's migration setting ({@code policy}; empty when
     * the scheduler seals nothing yet, i.e. HAMi's Go scheduler or a version of ours before seals): a warning for
     * each one the ledger will not count, because its GPUs can then be handed to another pod.
     */
    static List<Check> seals(List<Pod> pods, Optional<PlacementTrust.UnsealedPolicy> policy) {
        String name = "placement-seals";
        List<Pod> unsealed = live(pods).stream().filter(pod -> {
            Map<String, String> annotations = GpuPods.annotations(pod);
            return annotations.containsKey(HamiKeys.VGPU_NODE) && annotations.containsKey(HamiKeys.DEVICES_ALLOCATED)
                    && !annotations.containsKey(HamiKeys.PLACEMENT_SEAL);
        }).toList();
        if (unsealed.isEmpty()) {
            return List.of(Check.pass(name, "every allocation carries a placement seal"));
        }
        if (policy.isEmpty()) {
            return List.of(Check.pass(name, unsealed.size() + " pods hold allocations without a placement seal (the"
                    + " running scheduler writes none); the chart's first install counts them: it sets"
                    + " scheduler.ledger.trustUnsealedBefore to that moment"));
        }
        if (policy.get().trustAll()) {
            return List.of(Check.warn(name, unsealed.size() + " pods hold allocations without a placement seal,"
                    + " counted because hami.ledger.trust-unsealed is on (forged ones too); turn it off once HAMi's Go"
                    + " scheduler places no more pods"));
        }
        List<Check> problems = new ArrayList<>();
        int counted = 0;
        for (Pod pod : unsealed) {
            if (policy.get().trusts(createdAt(pod))) {
                counted++;
                continue;
            }
            problems.add(Check.warn(name, "pod " + GpuPods.key(pod) + " holds an allocation on node "
                    + Excerpt.plain(GpuPods.annotations(pod).get(HamiKeys.VGPU_NODE))
                    + " without a placement seal and was created "
                    + policy.get().createdBefore().map(t -> "after the cut-off " + t)
                    .orElse("with no cut-off set (hami.ledger.trust-unsealed-before)")
                    + ": the scheduler does not count it, so its GPUs can be given to another pod"));
        }
        if (problems.isEmpty()) {
            return List.of(Check.pass(name, counted + " allocations without a placement seal, all on pods created"
                    + " before the cut-off " + policy.get().createdBefore().orElseThrow() + ": counted"));
        }
        return problems;
    }

    private static Instant createdAt(Pod pod) {
        String created = pod.getMetadata().getCreationTimestamp();
        try {
            return created == null ? null : OffsetDateTime.parse(created).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    static List<Check> allocating(List<Pod> pods, PreflightSettings settings, Instant now) {
        String name = "allocating-pods";
        List<Check> problems = new ArrayList<>();
        int inFlight = 0;
        for (Pod pod : live(pods)) {
            Map<String, String> annotations = GpuPods.annotations(pod);
            if (!BindPhase.ALLOCATING.value().equals(annotations.get(HamiKeys.BIND_PHASE))) {
                continue;
            }
            String node = annotations.getOrDefault(HamiKeys.VGPU_NODE, "?");
            Instant since = unixSeconds(annotations.get(HamiKeys.BIND_TIME));
            if (since == null) {
                problems.add(Check.fail(name, "pod " + GpuPods.key(pod) + " is allocating on node " + node
                        + " without a readable " + HamiKeys.BIND_TIME));
            } else if (Duration.between(since, now).compareTo(settings.nodeLockExpire()) > 0) {
                problems.add(Check.fail(name, "pod " + GpuPods.key(pod) + " stuck allocating on node " + node
                        + " for " + NodeChecks.age(since, now) + " (since " + NodeChecks.time(since)
                        + "): the device plugin never took it; delete the pod"));
            } else {
                inFlight++;
            }
        }
        if (problems.isEmpty()) {
            return List.of(Check.pass(name, "no pod stuck allocating (" + inFlight + " in flight)"));
        }
        return problems;
    }

    static List<Check> schedulerNames(List<Pod> pods, Release release) {
        String name = "scheduler-names";
        List<Check> problems = new ArrayList<>();
        for (Pod pod : live(pods)) {
            String scheduler = GpuPods.schedulerName(pod);
            if (GpuPods.requestsGpu(pod) && !release.schedulerNames().contains(scheduler)) {
                problems.add(Check.warn(name, "pod " + GpuPods.key(pod) + " requests GPUs but is scheduled by "
                        + scheduler + ": the device plugin finds no allocation for it"));
            }
        }
        if (problems.isEmpty()) {
            return List.of(Check.pass(name, "every GPU pod uses " + String.join(" or ", release.schedulerNames())));
        }
        return problems;
    }

    private static List<Pod> live(List<Pod> pods) {
        return pods.stream().filter(p -> !GpuPods.finished(p)).sorted(Comparator.comparing(GpuPods::key)).toList();
    }

    private static Instant unixSeconds(String value) {
        if (value == null) {
            return null;
        }
        try {
            return Instant.ofEpochSecond(Long.parseLong(value.trim()));
        } catch (NumberFormatException | java.time.DateTimeException e) {
            return null;
        }
    }
}
