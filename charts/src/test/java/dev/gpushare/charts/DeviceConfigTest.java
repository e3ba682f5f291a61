package dev.gpushare.charts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpushare.common.config.DeviceConfig;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetUpdateStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The allocation encoding follows the device plugin deployed, the rendered {@code device-config.yaml} has that
 * plugin's schema and loads in our scheduler, and the device plugin's values land in its flags and env vars.
 */
class DeviceConfigTest {

    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    @ParameterizedTest(name = "device plugin {0} -> {1}")
    @CsvSource({"v2.8.3, v2.8", "v2.8.0, v2.8", "v2.9.0, v2.9", "v2.10.0, v2.9", "2.10.1, v2.9", "v3.0.0, v2.9"})
    void theEncodingFollowsTheDevicePluginTag(String tag, String encoding) throws Exception {
        Rendered rendered = Chart.render(Chart.Options.defaults().set("global.imageTag", tag));
        String deviceConfig = rendered.configMapData("hami-scheduler-device", "device-config.yaml");
        JsonNode tree = YAML.readTree(deviceConfig);

        assertThat(rendered.extenderEnv()).containsEntry("HAMI_COMPAT_ALLOCATIONENCODING", encoding);
        assertThat(rendered.get(DaemonSet.class, "hami-device-plugin").getSpec().getTemplate().getSpec()
                .getContainers()).allSatisfy(c -> assertThat(c.getImage()).isEqualTo("docker.io/projecthami/hami:" + tag));
        if (encoding.equals("v2.8")) {
            assertThat(tree.path("vnpus").isArray()).as("v2.8 schema: vnpus is a list").isTrue();
            assertThat(tree.path("nvidia").has("migProfileAllowlist")).isFalse();
            assertThat(tree.path("enflame").path("resourceNameVGCU").asString()).isEqualTo("enflame.com/vgcu");
        } else {
            assertThat(tree.path("vnpus").path("configs").isArray()).as("v2.10 schema: vnpus.configs").isTrue();
            assertThat(tree.path("nvidia").path("migProfileAllowlist").isArray()).isTrue();
            assertThat(tree.path("enflame").path("resourceNameDRSGCU").asString()).isEqualTo("enflame.com/drs-gcu");
        }
        DeviceConfig loaded = DeviceConfig.parse(deviceConfig);
        assertThat(loaded.nvidia().resourceCountName()).isEqualTo("nvidia.com/gpu");
        assertThat(loaded.nvidia().knownMigGeometries()).isNotEmpty();
    }

    @Test
    void aSettingThatContradictsTheDeployedDevicePluginFailsWithBothVersions() {
        assertThat(Chart.renderError(Chart.Options.defaults().set("scheduler.allocationEncoding", "v2.8")))
                .contains("scheduler.allocationEncoding is v2.8 but the device plugin deployed by this chart"
                        + " (tag v2.10.0) reads v2.9");
        assertThat(Chart.renderError(Chart.Options.defaults().set("devicePlugin.image.tag", "latest")))
                .contains("the device-plugin image tag \"latest\" is not a version: set scheduler.allocationEncoding");
        Rendered explicit = Chart.render(Chart.Options.defaults().set("devicePlugin.image.tag", "latest")
                .set("scheduler.allocationEncoding", "v2.9"));
        assertThat(explicit.extenderEnv()).containsEntry("HAMI_COMPAT_ALLOCATIONENCODING", "v2.9");
        Rendered ownPlugin = Chart.render(Chart.Options.defaults().variant("device-plugin-disabled")
                .set("scheduler.allocationEncoding", "v2.8"));
        assertThat(ownPlugin.extenderEnv()).containsEntry("HAMI_COMPAT_ALLOCATIONENCODING", "v2.8");
        assertThat(ownPlugin.all(DaemonSet.class)).isEmpty();
    }

    @Test
    void deviceValuesReachTheConfigOurSchedulerLoads() throws Exception {
        Rendered rendered = Chart.render(Chart.Options.defaults()
                .set("resourceName", "nvidia.com/vgpu").set("resourceMem", "nvidia.com/vgpu-memory")
                .set("resourceCores", "nvidia.com/vgpu-cores")
                .set("resourceMemPercentage", "nvidia.com/vgpu-memory-percentage")
                .set("resourcePriority", "nvidia.com/vgpu-priority")
                .set("devices.nvidia.gpuCorePolicy", "force")
                .set("scheduler.overwriteEnv", "true")
                .set("devicePlugin.deviceSplitCount", 4)
                .set("devicePlugin.deviceMemoryScaling", 2)
                .set("devicePlugin.deviceCoreScaling", 3)
                .set("devicePlugin.preConfiguredDeviceMemory", 16384)
                .set("devicePlugin.runtimeClassName", "nvidia"));
        String text = rendered.configMapData("hami-scheduler-device", "device-config.yaml");
        DeviceConfig loaded = DeviceConfig.parse(text);
        JsonNode nvidia = YAML.readTree(text).path("nvidia");

        assertThat(loaded.nvidia().resourceCountName()).isEqualTo("nvidia.com/vgpu");
        assertThat(loaded.nvidia().resourceMemoryName()).isEqualTo("nvidia.com/vgpu-memory");
        assertThat(loaded.nvidia().resourceCoreName()).isEqualTo("nvidia.com/vgpu-cores");
        assertThat(loaded.nvidia().resourceMemoryPercentageName()).isEqualTo("nvidia.com/vgpu-memory-percentage");
        assertThat(loaded.nvidia().resourcePriorityName()).isEqualTo("nvidia.com/vgpu-priority");
        assertThat(loaded.nvidia().gpuCorePolicy()).isEqualTo("force");
        assertThat(loaded.nvidia().overwriteEnv()).isTrue();
        assertThat(loaded.nvidia().runtimeClassName()).isEqualTo("nvidia");
        assertThat(nvidia.path("deviceSplitCount").asInt()).isEqualTo(4);
        assertThat(nvidia.path("deviceMemoryScaling").asInt()).isEqualTo(2);
        // Read by HAMi's device plugin only (our scheduler takes the registered devices from the node annotation).
        assertThat(nvidia.path("deviceCoreScaling").asInt()).isEqualTo(3);
        assertThat(nvidia.path("preConfiguredDeviceMemory").asInt()).isEqualTo(16384);
        assertThat(rendered.get(DaemonSet.class, "hami-device-plugin").getSpec().getTemplate().getSpec()
                .getRuntimeClassName()).isEqualTo("nvidia");
    }

    @Test
    void aUsersDeviceConfigReplacesTheRenderedOneWhole() throws Exception {
        String own = "nvidia:\n  resourceCountName: example.com/gpu\n  deviceSplitCount: 2\n";
        Rendered rendered = Chart.render(Chart.Options.defaults().set("device-config.content", own));
        String text = rendered.configMapData("hami-scheduler-device", "device-config.yaml");

        assertThat(text).isEqualTo(own);
        assertThat(DeviceConfig.parse(text).nvidia().resourceCountName()).isEqualTo("example.com/gpu");
    }

    @Test
    void devicePluginValuesLandInItsFlagsAndEnv() {
        Rendered rendered = Chart.render(Chart.Options.defaults()
                .set("devicePlugin.migStrategy", "mixed")
                .set("devicePlugin.disablecorelimit", "true")
                .set("devicePlugin.pluginPath", "/var/lib/k0s/kubelet/device-plugins")
                .set("devicePlugin.libPath", "/opt/vgpu")
                .set("global.gpuHookPath", "/opt")
                .set("devicePlugin.nvidiaNodeSelector.accelerator", "nvidia")
                .set("legacyMetrics", true)
                .set("scheduler.defaultSchedulerPolicy.gpuSchedulerPolicy", "topology-aware"));
        var pod = rendered.get(DaemonSet.class, "hami-device-plugin").getSpec().getTemplate().getSpec();
        var plugin = pod.getContainers().get(0);
        var monitor = pod.getContainers().get(1);

        assertThat(plugin.getCommand()).containsExactly("nvidia-device-plugin", "--config-file=/device-config.yaml",
                "--mig-strategy=mixed", "--disable-core-limit=true", "-v=4");
        assertThat(plugin.getEnv()).anySatisfy(e -> assertThat(e.getName() + "=" + e.getValue())
                .isEqualTo("HOOK_PATH=/opt"));
        assertThat(plugin.getEnv()).anySatisfy(e -> assertThat(e.getName() + "=" + e.getValue())
                .isEqualTo("ENABLE_TOPOLOGY_SCORE=true"));
        assertThat(plugin.getLifecycle().getPostStart().getExec().getCommand())
                .containsExactly("/bin/sh", "-c", "/k8s-vgpu/bin/vgpu-init.sh /opt/vgpu/");
        assertThat(monitor.getCommand()).containsExactly("vGPUmonitor", "--legacy-metrics=true", "-v=4");
        assertThat(pod.getVolumes()).anySatisfy(v -> {
            assertThat(v.getName()).isEqualTo("device-plugin");
            assertThat(v.getHostPath().getPath()).isEqualTo("/var/lib/k0s/kubelet/device-plugins");
        });
        assertThat(pod.getVolumes()).anySatisfy(v -> {
            assertThat(v.getName()).isEqualTo("lib");
            assertThat(v.getHostPath().getPath()).isEqualTo("/opt/vgpu");
        });
        assertThat(pod.getNodeSelector()).containsEntry("gpu", "on").containsEntry("accelerator", "nvidia");
        assertThat(rendered.configMapData("hami-device-plugin", "config.json")).contains("\"nodeconfig\"");
    }

    @Test
    void updateStrategyRollingUpdateOrOnDelete() {
        DaemonSetUpdateStrategy rolling = Chart.render(Chart.Options.defaults())
                .get(DaemonSet.class, "hami-device-plugin").getSpec().getUpdateStrategy();
        DaemonSetUpdateStrategy onDelete = Chart.render(Chart.Options.defaults().variant("on-delete"))
                .get(DaemonSet.class, "hami-device-plugin").getSpec().getUpdateStrategy();

        assertThat(rolling.getType()).isEqualTo("RollingUpdate");
        assertThat(rolling.getRollingUpdate().getMaxUnavailable().getIntVal()).isEqualTo(1);
        assertThat(onDelete.getType()).isEqualTo("OnDelete");
        assertThat(onDelete.getRollingUpdate()).isNull();
    }

    @Test
    void anExternalNodeConfigurationReplacesTheChartsConfigMap() {
        Rendered rendered = Chart.render(Chart.Options.defaults()
                .set("devicePlugin.nodeConfiguration.externalConfigName", "my-node-config"));

        assertThat(rendered.find(io.fabric8.kubernetes.api.model.ConfigMap.class, "hami-device-plugin")).isEmpty();
        assertThat(rendered.get(DaemonSet.class, "hami-device-plugin").getSpec().getTemplate().getSpec()
                .getVolumes()).anySatisfy(v -> assertThat(v.getConfigMap() != null
                        && v.getConfigMap().getName().equals("my-node-config")).isTrue());
    }
}
