package dev.gpushare.ops.preflight;

import dev.gpushare.common.annotation.AllocationCodec;
import dev.gpushare.common.annotation.BindPhase;
import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.common.annotation.MalformedAnnotationException;
import dev.gpushare.ops.GpuPods;
import dev.gpushare.ops.Release;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** Allocation annotations, pods stuck {@code allocating}, GPU pods of other schedulers. */
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
