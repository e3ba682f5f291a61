package dev.gpushare.ops.preflight;

import dev.gpushare.common.annotation.AllocationCodec;
import dev.gpushare.common.annotation.AllocationEncoding;
import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.common.annotation.MalformedAnnotationException;
import dev.gpushare.ops.ClusterFacts;
import dev.gpushare.ops.GpuPods;
import dev.gpushare.ops.Release;
import dev.gpushare.ops.SchedulerSettings;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Kubernetes version, the release's scheduler and device plugin, and the allocation encoding they agree on. */
final class ReleaseChecks {

    private static final Pattern KUBE_VERSION = Pattern.compile("v?(\\d+)\\.(\\d+).*");
    private static final Pattern IMAGE_VERSION = Pattern.compile(":v?(\\d+)\\.(\\d+)(?:\\.\\d+)?(?:[-+][^@]*)?(?:@.*)?$");

    private ReleaseChecks() {
    }

    static List<Check> kubernetesVersion(Optional<String> version) {
        String name = "kubernetes-version";
        if (version.isEmpty()) {
            return List.of(Check.warn(name, "the API server's /version could not be read"));
        }
        Matcher m = KUBE_VERSION.matcher(version.get());
        if (!m.matches()) {
            return List.of(Check.warn(name, "cannot read version '" + version.get() + "'"));
        }
        int major = Integer.parseInt(m.group(1));
        int minor = Integer.parseInt(m.group(2));
        if (major != 1 || minor < 19) {
            return List.of(Check.fail(name, version.get() + " is older than 1.19, the oldest supported"));
        }
        String config = minor >= 25 ? "kubescheduler.config.k8s.io/v1"
                : minor >= 22 ? "kubescheduler.config.k8s.io/v1beta2" : "kubescheduler.config.k8s.io/v1beta1";
        return List.of(Check.pass(name, version.get() + ": kube-scheduler reads the extender from " + config));
    }

    static List<Check> scheduler(ClusterFacts facts, Release release) {
        String where = "Deployment " + release.namespace() + "/" + release.schedulerDeployment();
        if (facts.scheduler().isEmpty()) {
            return List.of(Check.fail("scheduler", where + " not found (another release name? use --release)"));
        }
        Deployment deployment = facts.scheduler().get();
        int wanted = deployment.getSpec() == null || deployment.getSpec().getReplicas() == null ? 1
                : deployment.getSpec().getReplicas();
        int ready = deployment.getStatus() == null || deployment.getStatus().getReadyReplicas() == null ? 0
                : deployment.getStatus().getReadyReplicas();
        Check images = Check.pass("scheduler", where + ": images " + images(SchedulerSettings.containers(
                deployment.getSpec() == null ? null : deployment.getSpec().getTemplate())));
        Check pods = ready == 0
                ? Check.fail("scheduler-pods", "0/" + wanted + " scheduler pods Ready: no replica serves /filter and /bind")
                : Check.pass("scheduler-pods", ready + "/" + wanted + " scheduler pods Ready"
                        + (ready < wanted ? " (with readiness mode leader only the leader is Ready)" : ""));
        return List.of(images, pods);
    }

    static List<Check> devicePlugin(ClusterFacts facts, Release release) {
        String where = "DaemonSet " + release.namespace() + "/" + release.devicePluginDaemonSet();
        if (facts.devicePlugin().isEmpty()) {
            return List.of(Check.fail("device-plugin", where + " not found (another release name? use --release)"));
        }
        DaemonSet daemonSet = facts.devicePlugin().get();
        int desired = daemonSet.getStatus() == null || daemonSet.getStatus().getDesiredNumberScheduled() == null ? 0
                : daemonSet.getStatus().getDesiredNumberScheduled();
        int ready = daemonSet.getStatus() == null || daemonSet.getStatus().getNumberReady() == null ? 0
                : daemonSet.getStatus().getNumberReady();
        Check images = Check.pass("device-plugin", where + ": images " + images(SchedulerSettings.containers(
                daemonSet.getSpec() == null ? null : daemonSet.getSpec().getTemplate())));
        Check pods;
        if (desired == 0) {
            pods = Check.warn("device-plugin-pods", "the DaemonSet runs on no node (node selector matches no GPU node?)");
        } else if (ready < desired) {
            pods = Check.warn("device-plugin-pods", ready + "/" + desired + " device-plugin pods Ready: GPU nodes "
                    + "without a Ready plugin cannot allocate");
        } else {
            pods = Check.pass("device-plugin-pods", ready + "/" + desired + " device-plugin pods Ready");
        }
        return List.of(images, pods);
    }

    /** The configured encoding against the device plugin's version, and against what pods carry. */
    static List<Check> allocationEncoding(ClusterFacts facts) {
        String name = "allocation-encoding";
        SchedulerSettings.Encoding configured = SchedulerSettings.allocationEncoding(facts.scheduler());
        String says = "scheduler writes " + configured.encoding().value() + " (" + configured.source() + ")";
        Optional<int[]> plugin = facts.devicePlugin().flatMap(ds -> SchedulerSettings.containers(
                ds.getSpec() == null ? null : ds.getSpec().getTemplate()).stream()
                .map(c -> version(c.getImage())).flatMap(Optional::stream).findFirst());
        Check versus;
        if (plugin.isEmpty()) {
            versus = Check.warn(name, says + "; the device plugin's version cannot be read from its image tag");
        } else {
            int minor = plugin.get()[1];
            String found = "device plugin v" + plugin.get()[0] + "." + minor;
            boolean pluginV28 = plugin.get()[0] == 2 && minor <= 8;
            if (configured.encoding() == AllocationEncoding.V2_9 && pluginV28) {
                versus = Check.fail(name, says + " but " + found + " reads v2.8: it would hand init-container "
                        + "segments to regular containers");
            } else if (configured.encoding() == AllocationEncoding.V2_8 && !pluginV28) {
                versus = Check.warn(name, says + " with " + found + ", which reads v2.9 (init containers first); "
                        + "set the encoding to v2.9");
            } else {
                versus = Check.pass(name, says + ", as " + found + " reads");
            }
        }
        long written29 = facts.pods().stream().filter(p -> !GpuPods.finished(p))
                .filter(p -> writtenAs(p).equals(Optional.of(AllocationEncoding.V2_9))).count();
        long written28 = facts.pods().stream().filter(p -> !GpuPods.finished(p))
                .filter(p -> writtenAs(p).equals(Optional.of(AllocationEncoding.V2_8))).count();
        long other = configured.encoding() == AllocationEncoding.V2_8 ? written29 : written28;
        if (other > 0) {
            String otherName = configured.encoding() == AllocationEncoding.V2_8 ? "v2.9" : "v2.8";
            return List.of(versus, Check.warn(name, other + " pods with init containers carry " + otherName
                    + "-encoded allocations, not " + configured.encoding().value()));
        }
        return List.of(versus);
    }

    /** The encoding a pod's allocation must have been written in, when its init containers tell it apart. */
    private static Optional<AllocationEncoding> writtenAs(Pod pod) {
        if (pod.getSpec() == null || pod.getSpec().getInitContainers() == null
                || pod.getSpec().getInitContainers().isEmpty()) {
            return Optional.empty();
        }
        String allocated = GpuPods.annotations(pod).get(HamiKeys.DEVICES_ALLOCATED);
        if (allocated == null) {
            return Optional.empty();
        }
        int segments;
        try {
            segments = AllocationCodec.decode(allocated).containers().size();
        } catch (MalformedAnnotationException e) {
            return Optional.empty();
        }
        int regular = pod.getSpec().getContainers() == null ? 0 : pod.getSpec().getContainers().size();
        int init = pod.getSpec().getInitContainers().size();
        if (segments == regular) {
            return Optional.of(AllocationEncoding.V2_8);
        }
        return segments == regular + init ? Optional.of(AllocationEncoding.V2_9) : Optional.empty();
    }

    static Optional<int[]> version(String image) {
        if (image == null) {
            return Optional.empty();
        }
        Matcher m = IMAGE_VERSION.matcher(image);
        return m.find() ? Optional.of(new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))})
                : Optional.empty();
    }

    private static String images(List<Container> containers) {
        return containers.isEmpty() ? "none" : containers.stream().map(c -> c.getName() + "=" + c.getImage())
                .collect(Collectors.joining(", "));
    }
}
