package dev.gpushare.charts;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClass;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Scheduling values of the pods, pull secrets, labels, and the optional parts (monitoring, runtime class, PSP). */
class PodPlacementAndExtrasTest {

    @Test
    void everyImageOfEveryOptionalPartHonoursTheGlobalRegistry() {
        Rendered rendered = Chart.render(Chart.Options.defaults().variant("everything")
                .values(Chart.SOURCE.resolve("values-offline.yaml")));

        assertThat(rendered.containers()).hasSizeGreaterThanOrEqualTo(7).allSatisfy((where, container) ->
                assertThat(container.getImage()).as(where).startsWith(ChartVariantsTest.OFFLINE_REGISTRY + "/"));
    }

    @Test
    void schedulingValuesReachTheSchedulerAndTheJobPods() {
        Rendered rendered = Chart.render(Chart.Options.defaults()
                .set("scheduler.nodeSelector.node-role", "infra")
                .set("scheduler.tolerations[0].key", "dedicated")
                .set("scheduler.tolerations[0].operator", "Exists")
                .set("scheduler.nodeName", "node-7")
                .set("scheduler.priorityClassName", "gpu-critical")
                .set("scheduler.podAnnotations.team", "ml")
                .set("scheduler.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution"
                        + ".nodeSelectorTerms[0].matchExpressions[0].key", "infra")
                .set("scheduler.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution"
                        + ".nodeSelectorTerms[0].matchExpressions[0].operator", "Exists")
                .set("scheduler.patch.nodeSelector.node-role", "jobs")
                .set("scheduler.patch.priorityClassName", "low")
                .set("global.imagePullSecrets[0]", "global-secret")
                .set("scheduler.extender.image.pullSecrets[0]", "ours")
                .set("global.labels.team", "gpu")
                .set("global.annotations.owner", "platform"));
        PodSpec scheduler = rendered.scheduler().getSpec().getTemplate().getSpec();
        PodSpec job = rendered.podSpecs().get("Job/" + CertificateJobsTest.CREATE);

        assertThat(scheduler.getNodeSelector()).containsExactly(Map.entry("node-role", "infra"));
        assertThat(scheduler.getTolerations()).singleElement()
                .satisfies(t -> assertThat(t.getKey() + "/" + t.getOperator()).isEqualTo("dedicated/Exists"));
        assertThat(scheduler.getNodeName()).isEqualTo("node-7");
        assertThat(scheduler.getPriorityClassName()).isEqualTo("gpu-critical");
        assertThat(scheduler.getAffinity().getPodAntiAffinity()).as("replaced by scheduler.affinity").isNull();
        assertThat(scheduler.getAffinity().getNodeAffinity()).isNotNull();
        assertThat(scheduler.getImagePullSecrets()).extracting(LocalObjectReference::getName)
                .containsExactly("global-secret", "ours");
        assertThat(rendered.scheduler().getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry("team", "ml").containsKeys("checksum/scheduler-config", "checksum/device-config");
        assertThat(rendered.scheduler().getMetadata().getLabels()).containsEntry("team", "gpu");
        assertThat(rendered.scheduler().getMetadata().getAnnotations()).containsEntry("owner", "platform");
        assertThat(rendered.get(DaemonSet.class, "hami-device-plugin").getMetadata().getLabels())
                .containsEntry("team", "gpu");
        assertThat(job.getNodeSelector()).containsExactly(Map.entry("node-role", "jobs"));
        assertThat(job.getPriorityClassName()).isEqualTo("low");
        assertThat(job.getImagePullSecrets()).extracting(LocalObjectReference::getName)
                .containsExactly("global-secret", "ours");
    }

    @Test
    void monitoringRuntimeClassAndTheMockPluginWhenAskedFor() {
        Rendered rendered = Chart.render(Chart.Options.defaults().variant("everything"));

        List<HasMetadata> monitors = rendered.kind("ServiceMonitor");
        assertThat(monitors).extracting(m -> m.getMetadata().getName())
                .containsExactlyInAnyOrder("hami-scheduler-metrics-monitor", "hami-device-plugin-metrics-monitor");
        assertThat(endpointPort(monitors, "hami-scheduler-metrics-monitor")).isEqualTo("monitor");
        assertThat(endpointPort(monitors, "hami-device-plugin-metrics-monitor")).isEqualTo("monitorport");
        RuntimeClass runtimeClass = rendered.get(RuntimeClass.class, "nvidia");
        assertThat(runtimeClass.getHandler()).isEqualTo("nvidia");
        assertThat(runtimeClass.getMetadata().getAnnotations()).containsEntry("helm.sh/hook", "pre-install,pre-upgrade");
        assertThat(rendered.find(DaemonSet.class, "hami-mock-device-plugin")).isPresent();
        PodSpec plugin = rendered.get(DaemonSet.class, "hami-device-plugin").getSpec().getTemplate().getSpec();
        assertThat(plugin.getInitContainers()).extracting("name").containsExactly("toolkit-validation");
        assertThat(plugin.getContainers().get(0).getEnv()).extracting("name")
                .contains("NVIDIA_DRIVER_ROOT", "PASS_DEVICE_SPECS", "EXTRA");

        Rendered defaults = Chart.render(Chart.Options.defaults());
        assertThat(defaults.kind("ServiceMonitor")).isEmpty();
        assertThat(defaults.all(RuntimeClass.class)).isEmpty();
        assertThat(Chart.render(Chart.Options.defaults().set("scheduler.serviceMonitor.enabled", true))
                .kind("ServiceMonitor")).extracting(m -> m.getMetadata().getName())
                .containsExactly("hami-scheduler-metrics-monitor");
    }

    @Test
    void aPodSecurityPolicyForTheJobsOnOldClusters() {
        Rendered rendered = Chart.render(Chart.Options.defaults().kube("1.22.17")
                .set("podSecurityPolicy.enabled", true));

        assertThat(rendered.kind("PodSecurityPolicy")).extracting(p -> p.getMetadata().getName())
                .containsExactly("hami-admission");
        assertThat(rendered.get(ClusterRole.class, "hami-admission").getRules()).anySatisfy(rule -> {
            assertThat(rule.getResources()).containsExactly("podsecuritypolicies");
            assertThat(rule.getVerbs()).containsExactly("use");
            assertThat(rule.getResourceNames()).containsExactly("hami-admission");
        });
    }

    @Test
    void theNotesTellHowToVerifyTheInstall() {
        String notes = new Helm(Chart.SOURCE).install().withName(Chart.RELEASE).withNamespace(Chart.NAMESPACE)
                .withKubeVersion("1.28.3").dryRun().clientOnly().call().getOutput();

        assertThat(notes).contains("(kube-scheduler v1.28.3, configuration v1), allocation encoding v2.9.")
                .contains("kubectl -n gpu-system get lease hami-scheduler -o jsonpath='{.spec.holderIdentity}")
                .contains("kubectl get mutatingwebhookconfiguration hami-webhook")
                .contains("hami\\.io/node-nvidia-register")
                .contains("\"nvidia.com/gpu\":\"1\"");
    }

    @SuppressWarnings("unchecked")
    private static String endpointPort(List<HasMetadata> monitors, String name) {
        GenericKubernetesResource monitor = (GenericKubernetesResource) monitors.stream()
                .filter(m -> m.getMetadata().getName().equals(name)).findFirst().orElseThrow();
        Map<String, Object> spec = (Map<String, Object>) monitor.getAdditionalProperties().get("spec");
        return (String) ((List<Map<String, Object>>) spec.get("endpoints")).get(0).get("port");
    }
}
