package dev.gpushare.charts;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import java.io.IOException;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** The scheduler's Grafana dashboard for Grafana's sidecar, behind a value; {@code legacyMetrics} reaches us too. */
class GrafanaDashboardTest {

    private static final String NAME = "hami-scheduler-grafana-dashboard";

    @Test
    void offByDefault() {
        Rendered rendered = Chart.render(Chart.Options.defaults());

        assertThat(rendered.find(ConfigMap.class, NAME)).isEmpty();
        assertThat(rendered.extenderEnv()).containsEntry("HAMI_METRICS_LEGACYNAMES", "false");
    }

    @Test
    void whenEnabledTheDashboardFileIsAConfigMapTheSidecarPicksUp() throws IOException {
        Rendered rendered = Chart.render(Chart.Options.defaults()
                .set("scheduler.grafanaDashboard.enabled", true)
                .set("scheduler.grafanaDashboard.annotations.grafana_folder", "GPU"));

        ConfigMap dashboard = rendered.get(ConfigMap.class, NAME);
        assertThat(dashboard.getMetadata().getNamespace()).isEqualTo(Chart.NAMESPACE);
        assertThat(dashboard.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
        assertThat(dashboard.getMetadata().getAnnotations()).containsEntry("grafana_folder", "GPU");
        JsonMapper json = JsonMapper.builder().build();
        assertThat(json.readTree(dashboard.getData().get("gpushare-scheduler.json")))
                .isEqualTo(json.readTree(Files.readString(Chart.SOURCE.resolve("dashboards/gpushare-scheduler.json"))));
        assertThat(dashboard.getData()).containsOnlyKeys("gpushare-scheduler.json");
    }

    @Test
    void theNamespaceCanBeGrafanas() {
        Rendered rendered = Chart.render(Chart.Options.defaults()
                .set("scheduler.grafanaDashboard.enabled", true)
                .set("scheduler.grafanaDashboard.namespace", "monitoring"));

        assertThat(rendered.get(ConfigMap.class, NAME).getMetadata().getNamespace()).isEqualTo("monitoring");
    }

    @Test
    void legacyMetricsSwitchesOnOurLegacyNames() {
        Rendered rendered = Chart.render(Chart.Options.defaults().set("legacyMetrics", true));

        assertThat(rendered.extenderEnv()).containsEntry("HAMI_METRICS_LEGACYNAMES", "true");
    }
}
