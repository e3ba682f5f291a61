package dev.gpushare.charts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpushare.placement.GpuPolicy;
import dev.gpushare.placement.NodePolicy;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** values.schema.json: a misspelt key or a wrong type fails the install with the key's name. */
class ValuesSchemaTest {

    @Test
    void aMisspeltKeyIsRefusedWithItsName() {
        assertThat(Chart.renderError(Chart.Options.defaults().set("scheduler.replica", 2)))
                .contains("at '/scheduler': additional properties 'replica' not allowed");
        assertThat(Chart.renderError(Chart.Options.defaults().set("devicePlugin.deviceSplitcount", 4)))
                .contains("at '/devicePlugin': additional properties 'deviceSplitcount' not allowed");
        assertThat(Chart.renderError(Chart.Options.defaults().set("scheduler.patch.imageNew.tag", "v1.1.1")))
                .contains("at '/scheduler/patch': additional properties 'imageNew' not allowed");
        assertThat(Chart.renderError(Chart.Options.defaults().set("globals.imageRegistry", "r.example")))
                .contains("additional properties 'globals' not allowed");
    }

    @Test
    void aWrongTypeOrValueIsRefusedWithTheKeysPath() {
        assertThat(Chart.renderError(Chart.Options.defaults().set("scheduler.replicas", "two")))
                .contains("at '/scheduler/replicas': got string, want integer");
        assertThat(Chart.renderError(Chart.Options.defaults().set("scheduler.readinessMode", "sometimes")))
                .contains("at '/scheduler/readinessMode'");
        assertThat(Chart.renderError(Chart.Options.defaults()
                .set("scheduler.defaultSchedulerPolicy.gpuSchedulerPolicy", "pack")))
                .contains("at '/scheduler/defaultSchedulerPolicy/gpuSchedulerPolicy'");
        assertThat(Chart.renderError(Chart.Options.defaults().set("scheduler.bindLockWait", "twenty seconds")))
                .contains("at '/scheduler/bindLockWait'");
        assertThat(Chart.renderError(Chart.Options.defaults().set("scheduler.admissionWebhook.timeoutSeconds", 31)))
                .contains("at '/scheduler/admissionWebhook/timeoutSeconds'");
        assertThat(Chart.renderError(Chart.Options.defaults().set("devicePlugin.updateStrategy.type", "Recreate")))
                .contains("at '/devicePlugin/updateStrategy/type'");
    }

    /** The schema lists exactly the policies the service reads (its one copy of their names is in placement). */
    @Test
    void thePolicyEnumsAreThePlacementPolicies() throws Exception {
        JsonNode policies = YAMLMapper.builder().build().readTree(Chart.SOURCE.resolve("values.schema.json").toFile())
                .at("/properties/scheduler/properties/defaultSchedulerPolicy/properties");

        assertThat(policies.at("/gpuSchedulerPolicy/enum").valueStream().map(JsonNode::stringValue))
                .containsExactlyElementsOf(Arrays.stream(GpuPolicy.values()).map(GpuPolicy::value).toList());
        assertThat(policies.at("/nodeSchedulerPolicy/enum").valueStream().map(JsonNode::stringValue))
                .containsExactlyElementsOf(Arrays.stream(NodePolicy.values()).map(NodePolicy::value).toList());
    }

    @Test
    void aValuesFileWrittenForHamisChartInstalls() {
        Rendered rendered = Chart.render(Chart.Options.defaults().variant("hami-v2.10-values"));

        assertThat(rendered.kubeScheduler().getCommand()).as("the chart's own --config is not passed twice")
                .containsExactly("kube-scheduler", "--config=/config/config.yaml", "-v=4");
        assertThat(rendered.extender().getLivenessProbe()).isNull();
        assertThat(rendered.extenderEnv()).containsEntry("HAMI_NODELOCK_EXPIRE", "5m")
                .containsEntry("HAMI_COMPAT_ALLOCATIONENCODING", "v2.9");
        assertThat(Chart.render(Chart.Options.defaults().variant("hami-v2.10-values").kube("1.19.16"))
                .kubeScheduler().getCommand()).filteredOn(arg -> arg.startsWith("--policy-config-file")).hasSize(1);
    }

    @Test
    void hamisOwnSpellingsAreAccepted() {
        Rendered rendered = Chart.render(Chart.Options.defaults().variant("hami-spellings"));

        assertThat(rendered.configMapData("hami-scheduler-device", "device-config.yaml"))
                .contains("overwriteEnv: true").contains("sgpuTopologyAware: true")
                .contains("deviceMemoryScaling: 1.5");
        assertThat(WebhookTest.webhook(rendered).getNamespaceSelector().getMatchExpressions()).hasSize(1);
    }
}
