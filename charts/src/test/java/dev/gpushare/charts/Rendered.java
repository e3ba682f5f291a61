package dev.gpushare.charts;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** Every document of one render, parsed into fabric8 objects (unknown kinds as generic resources). */
record Rendered(String manifest, List<HasMetadata> objects) {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final Pattern SEPARATOR = Pattern.compile("(?m)^---\\s*$");

    static Rendered parse(String manifest) {
        List<HasMetadata> objects = new ArrayList<>();
        for (String document : SEPARATOR.split(manifest)) {
            if (document.lines().allMatch(line -> line.isBlank() || line.startsWith("#"))) {
                continue;
            }
            Object parsed = SERIALIZATION.unmarshal(document);
            assertThat(parsed).as("document parses into a Kubernetes object:%n%s", document)
                    .isInstanceOf(HasMetadata.class);
            HasMetadata object = (HasMetadata) parsed;
            assertThat(object.getMetadata().getName()).as("name of %s", object.getKind()).isNotBlank();
            Map<String, String> annotations = object.getMetadata().getAnnotations();
            if (annotations != null && annotations.containsKey(Chart.HOOK_STAND_IN)) {
                Map<String, String> restored = new LinkedHashMap<>(annotations);
                restored.put(Chart.HOOK, restored.remove(Chart.HOOK_STAND_IN));
                object.getMetadata().setAnnotations(restored);
            }
            objects.add(object);
        }
        return new Rendered(manifest, List.copyOf(objects));
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    List<HasMetadata> kind(String kind) {
        return objects.stream().filter(object -> object.getKind().equals(kind)).toList();
    }

    <T extends HasMetadata> Optional<T> find(Class<T> type, String name) {
        return all(type).stream().filter(object -> object.getMetadata().getName().equals(name)).findFirst();
    }

    <T extends HasMetadata> T get(Class<T> type, String name) {
        return find(type, name).orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name
                + " in " + objects.stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()).toList()));
    }

    Deployment scheduler() {
        return get(Deployment.class, "hami-scheduler");
    }

    Container container(String name) {
        return scheduler().getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(container -> container.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no container " + name));
    }

    Container extender() {
        return container("vgpu-scheduler-extender");
    }

    Container kubeScheduler() {
        return container("kube-scheduler");
    }

    /** The literal env vars of our container (downward-API ones map to their field path). */
    Map<String, String> extenderEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar var : extender().getEnv()) {
            env.put(var.getName(), var.getValue() != null ? var.getValue()
                    : var.getValueFrom().getSecretKeyRef() != null
                    ? "secretKeyRef:" + var.getValueFrom().getSecretKeyRef().getName() + "/"
                    + var.getValueFrom().getSecretKeyRef().getKey()
                    : "fieldRef:" + var.getValueFrom().getFieldRef().getFieldPath());
        }
        return env;
    }

    String configMapData(String name, String key) {
        String value = get(ConfigMap.class, name).getData().get(key);
        assertThat(value).as("ConfigMap %s key %s", name, key).isNotNull();
        return value;
    }

    /** Every pod spec of the render: Deployments, DaemonSets, Jobs. */
    Map<String, PodSpec> podSpecs() {
        Map<String, PodSpec> specs = new LinkedHashMap<>();
        all(Deployment.class).forEach(d -> specs.put("Deployment/" + d.getMetadata().getName(),
                d.getSpec().getTemplate().getSpec()));
        all(DaemonSet.class).forEach(d -> specs.put("DaemonSet/" + d.getMetadata().getName(),
                d.getSpec().getTemplate().getSpec()));
        all(Job.class).forEach(j -> specs.put("Job/" + j.getMetadata().getName(),
                j.getSpec().getTemplate().getSpec()));
        return specs;
    }

    /** Every container and init container of the render, keyed {@code Kind/name/container}. */
    Map<String, Container> containers() {
        Map<String, Container> containers = new LinkedHashMap<>();
        podSpecs().forEach((pod, spec) -> {
            spec.getContainers().forEach(c -> containers.put(pod + "/" + c.getName(), c));
            if (spec.getInitContainers() != null) {
                spec.getInitContainers().forEach(c -> containers.put(pod + "/" + c.getName(), c));
            }
        });
        return containers;
    }
}
