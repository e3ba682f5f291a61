package dev.gpushare.charts;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

/**
 * The kube-scheduler sidecar's configuration: the format its own version serves (chosen from the image tag actually
 * deployed, the cluster's version only when no tag is set), the extender stanza, every managed resource.
 */
class KubeSchedulerConfigTest {

    @ParameterizedTest(name = "cluster {0}, tag \"{1}\" -> {2}")
    @CsvSource({
            "1.19.16, '',       Policy/v1",
            "1.22.17, '',       kubescheduler.config.k8s.io/v1beta2",
            "1.24.17, '',       kubescheduler.config.k8s.io/v1beta3",
            "1.28.3,  '',       kubescheduler.config.k8s.io/v1",
            "1.31.2,  '',       kubescheduler.config.k8s.io/v1",
            // the tag wins over the cluster's version: users pin it apart
            "1.28.3,  v1.24.0,  kubescheduler.config.k8s.io/v1beta3",
            "1.28.3,  v1.21.14, Policy/v1",
            "1.22.17, v1.25.16, kubescheduler.config.k8s.io/v1",
            "1.30.1,  1.23.4-eks-abc, kubescheduler.config.k8s.io/v1beta3"})
    void theConfigurationFormatFollowsTheDeployedKubeScheduler(String cluster, String tag, String expected) {
        Rendered rendered = Chart.render(Chart.Options.defaults().kube(cluster)
                .set("scheduler.kubeScheduler.image.tag", tag));
        SchedulerConfig config = SchedulerConfig.of(rendered);
        String deployedTag = tag.isEmpty() ? "v" + cluster : tag;

        assertThat(config.apiVersion()).isEqualTo(expected);
        assertThat(rendered.kubeScheduler().getImage())
                .isEqualTo("registry.cn-hangzhou.aliyuncs.com/google_containers/kube-scheduler:" + deployedTag);
        List<String> command = rendered.kubeScheduler().getCommand();
        if (config.legacyPolicy()) {
            assertThat(config.root().path("kind").asString()).isEqualTo("Policy");
            assertThat(command).containsExactly("kube-scheduler", "--policy-config-file=/config/config.json",
                    "--scheduler-name=hami-scheduler", "--leader-elect=true", "--leader-elect-resource-lock=leases",
                    "--leader-elect-resource-name=hami-scheduler",
                    "--leader-elect-resource-namespace=" + Chart.NAMESPACE, "-v=4");
            assertThat(config.extender().path("enableHttps").asBoolean(true)).isFalse();
            assertThat(config.extender().path("httpTimeout").asLong()).isEqualTo(30_000_000_000L);
        } else {
            assertThat(config.root().path("kind").asString()).isEqualTo("KubeSchedulerConfiguration");
            assertThat(command).containsExactly("kube-scheduler", "--config=/config/config.yaml", "-v=4");
            assertThat(config.extender().path("enableHTTPS").asBoolean(true)).isFalse();
            assertThat(config.extender().path("httpTimeout").asString()).isEqualTo("30s");
            assertThat(config.root().path("profiles")).hasSize(1);
        }
        assertThat(config.extender().path("urlPrefix").asString()).isEqualTo("http://127.0.0.1:8888");
        assertThat(config.extender().path("filterVerb").asString()).isEqualTo("filter");
        assertThat(config.extender().path("bindVerb").asString()).isEqualTo("bind");
        assertThat(config.extender().path("nodeCacheCapable").asBoolean()).isTrue();
        assertThat(config.extender().path("ignorable").asBoolean(true)).isFalse();
        assertThat(config.extender().has("prioritizeVerb")).isFalse();
    }

    @Test
    void aTagWithoutAVersionFailsWithTheKeyNamed() {
        assertThat(Chart.renderError(Chart.Options.defaults().set("scheduler.kubeScheduler.image.tag", "latest")))
                .contains("scheduler.kubeScheduler.image.tag \"latest\" is not a version");
    }

    @Test
    void imageTagIsAnAliasThatWinsOverImageTag() {
        Rendered rendered = Chart.render(Chart.Options.defaults()
                .set("scheduler.kubeScheduler.image.tag", "v1.28.3")
                .set("scheduler.kubeScheduler.imageTag", "v1.22.9"));

        assertThat(rendered.kubeScheduler().getImage()).endsWith(":v1.22.9");
        assertThat(SchedulerConfig.of(rendered).apiVersion()).isEqualTo("kubescheduler.config.k8s.io/v1beta2");
    }

    @Test
    void everyManagedResourceIsLeftToTheExtender() {
        SchedulerConfig config = SchedulerConfig.of(Chart.render(Chart.Options.defaults()
                .set("devices.ascend.enabled", true).set("devices.iluvatar.enabled", true)));

        assertThat(config.managedResources()).doesNotHaveDuplicates().contains(
                "nvidia.com/gpu", "nvidia.com/gpumem", "nvidia.com/gpucores", "nvidia.com/gpumem-percentage",
                "nvidia.com/priority",
                "cambricon.com/vmlu", "cambricon.com/mlu.smlu.vmemory", "cambricon.com/mlu.smlu.vcore",
                "hygon.com/dcunum", "hygon.com/dcumem", "hygon.com/dcucores",
                "metax-tech.com/gpu", "metax-tech.com/sgpu", "metax-tech.com/vcore", "metax-tech.com/vmemory",
                "enflame.com/drs-gcu", "enflame.com/gcu-memory", "enflame.com/gcu-core", "enflame.com/gcu",
                "kunlunxin.com/xpu", "kunlunxin.com/vxpu", "kunlunxin.com/vxpu-memory",
                "mthreads.com/vgpu", "vastaitech.com/va", "birentech.com/gpu",
                "amd.com/gpu", "amd.com/gpumem", "amd.com/gpucores",
                "aws.amazon.com/neuron", "aws.amazon.com/neuroncore",
                "huawei.com/Ascend910B3", "huawei.com/Ascend910C-core", "iluvatar.ai/MR-V50.vMem");
        assertThat(config.managedResources()).hasSize(30 + 21 + 12);

        SchedulerConfig defaults = SchedulerConfig.of(Chart.render(Chart.Options.defaults()));
        assertThat(defaults.managedResources()).hasSize(30).noneMatch(name -> name.startsWith("huawei.com/"));
    }

    @Test
    void renamedResourcesAreManagedUnderTheirNewNames() {
        SchedulerConfig config = SchedulerConfig.of(Chart.render(Chart.Options.defaults().kube("1.19.16")
                .set("resourceName", "example.com/vgpu").set("resourceMem", "example.com/vgpu-memory")));

        assertThat(config.managedResources()).contains("example.com/vgpu", "example.com/vgpu-memory")
                .doesNotContain("nvidia.com/gpu", "nvidia.com/gpumem");
    }

    @Test
    void managedNodeLabelsBecomeANodeAffinityOfTheProfile() {
        Rendered rendered = Chart.render(Chart.Options.defaults()
                .set("global.managedNodeSelectorEnable", true)
                .set("scheduler.nodeLabelSelector.zone", "a"));
        JsonNode terms = SchedulerConfig.of(rendered).root().at("/profiles/0/pluginConfig/0");

        assertThat(terms.path("name").asString()).isEqualTo("NodeAffinity");
        assertThat(terms.at("/args/addedAffinity/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms/0"
                + "/matchExpressions").toString()).isEqualTo(
                "[{\"key\":\"usage\",\"operator\":\"In\",\"values\":[\"gpu\"]},"
                        + "{\"key\":\"zone\",\"operator\":\"In\",\"values\":[\"a\"]}]");
        assertThat(SchedulerConfig.of(Chart.render(Chart.Options.defaults())).root().at("/profiles/0")
                .has("pluginConfig")).isFalse();
        assertThat(Chart.renderError(Chart.Options.defaults().kube("1.19.16")
                .set("global.managedNodeSelectorEnable", true)))
                .contains("global.managedNodeSelectorEnable and scheduler.nodeLabelSelector need kube-scheduler 1.22");
    }

    @Test
    void theSidecarIsRequired() {
        assertThat(Chart.renderError(Chart.Options.defaults().set("scheduler.kubeScheduler.enabled", false)))
                .contains("scheduler.kubeScheduler.enabled=false is not supported");
    }
}
