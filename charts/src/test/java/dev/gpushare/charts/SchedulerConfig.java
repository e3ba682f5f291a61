package dev.gpushare.charts;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The kube-scheduler configuration of a render: {@code config.yaml} (KubeSchedulerConfiguration) or, before 1.22,
 * {@code config.json} (the legacy Policy), whichever the ConfigMap holds; exactly one of them.
 */
record SchedulerConfig(String file, JsonNode root) {

    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    static SchedulerConfig of(Rendered rendered) {
        Map<String, String> data = rendered.get(io.fabric8.kubernetes.api.model.ConfigMap.class, "hami-scheduler")
                .getData();
        assertThat(data).hasSize(1);
        Map.Entry<String, String> entry = data.entrySet().iterator().next();
        return new SchedulerConfig(entry.getKey(), YAML.readTree(entry.getValue()));
    }

    boolean legacyPolicy() {
        return file.equals("config.json");
    }

    /** {@code kubescheduler.config.k8s.io/v1} etc., or {@code Policy/v1}. */
    String apiVersion() {
        return legacyPolicy() ? root.path("kind").asString() + "/" + root.path("apiVersion").asString()
                : root.path("apiVersion").asString();
    }

    JsonNode extender() {
        assertThat(root.path("extenders").size()).isEqualTo(1);
        return root.path("extenders").get(0);
    }

    List<String> managedResources() {
        List<String> names = new ArrayList<>();
        for (JsonNode resource : extender().path("managedResources")) {
            assertThat(resource.path("ignoredByScheduler").asBoolean()).as(resource.toString()).isTrue();
            names.add(resource.path("name").asString());
        }
        return names;
    }
}
