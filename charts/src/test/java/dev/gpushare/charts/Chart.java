package dev.gpushare.charts;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The chart {@code charts/hami} as helm-java renders and lints it.
 *
 * <p>helm-java's {@code template} returns the release manifest without the hooks (the certificate jobs and their
 * RBAC), so every render runs on a copy of the chart in which the {@code helm.sh/hook} annotation key is spelt
 * {@value #HOOK_STAND_IN}; {@link Rendered} spells it back. Nothing else differs from the chart itself.
 * helm-java's {@code lint} takes no values, so a variant is linted on a copy whose {@code values.yaml} is the
 * chart's merged with the variant.
 */
final class Chart {

    static final Path SOURCE = Paths.get("hami").toAbsolutePath();
    static final String HOOK = "helm.sh/hook";
    static final String HOOK_STAND_IN = "rendered.gpushare.dev/hook";
    static final String NAMESPACE = "gpu-system";
    static final String RELEASE = "hami";
    /** The Kubernetes version {@code helm lint} renders for (Helm's default capabilities). */
    static final String LINT_KUBE_VERSION = "1.20.0";

    private static final YAMLMapper YAML = YAMLMapper.builder().build();
    private static Path hooksVisible;

    private Chart() {
    }

    /**
     * A render: values files from {@code src/test/resources/variants/} (or absolute paths), then {@code set}s, into
     * {@code namespace} ({@link #NAMESPACE} unless told).
     */
    record Options(List<Path> valuesFiles, Map<String, Object> sets, String kubeVersion, String namespace) {

        static Options defaults() {
            return new Options(List.of(), Map.of(), "1.28.3", NAMESPACE);
        }

        Options in(String otherNamespace) {
            return new Options(valuesFiles, sets, kubeVersion, otherNamespace);
        }

        Options variant(String name) {
            List<Path> files = new ArrayList<>(valuesFiles);
            files.add(variantFile(name));
            return new Options(files, sets, kubeVersion, namespace);
        }

        Options values(Path file) {
            List<Path> files = new ArrayList<>(valuesFiles);
            files.add(file);
            return new Options(files, sets, kubeVersion, namespace);
        }

        Options set(String key, Object value) {
            Map<String, Object> all = new LinkedHashMap<>(sets);
            all.put(key, value);
            return new Options(valuesFiles, all, kubeVersion, namespace);
        }

        Options kube(String version) {
            return new Options(valuesFiles, sets, version, namespace);
        }
    }

    static Path variantFile(String name) {
        return Paths.get("src/test/resources/variants", name + ".yaml").toAbsolutePath();
    }

    static Rendered render(Options options) {
        TemplateCommand template = new Helm(hooksVisibleCopy()).template()
                .withName(RELEASE)
                .withNamespace(options.namespace())
                .withKubeVersion(options.kubeVersion());
        for (Path file : options.valuesFiles()) {
            template = template.withValuesFile(file);
        }
        for (Map.Entry<String, Object> set : options.sets().entrySet()) {
            template = template.set(set.getKey(), set.getValue());
        }
        return Rendered.parse(template.call());
    }

    /** The message of the error that rendering {@code options} fails with; fails the test when it renders. */
    static String renderError(Options options) {
        try {
            render(options);
        } catch (IllegalStateException e) {
            return e.getMessage();
        }
        throw new AssertionError("expected the render to fail: " + options);
    }

    /** {@code helm lint --strict} of the chart with {@code values.yaml} merged with these files, in that order. */
    static LintResult lintStrict(List<Path> valuesFiles) {
        Path copy = copy(SOURCE, false);
        try {
            ObjectNode merged = (ObjectNode) YAML.readTree(copy.resolve("values.yaml").toFile());
            for (Path file : valuesFiles) {
                merge(merged, YAML.readTree(file.toFile()));
            }
            YAML.writeValue(copy.resolve("values.yaml").toFile(), merged);
            return new Helm(copy).lint().strict().call();
        } finally {
            delete(copy);
        }
    }

    private static void merge(ObjectNode target, JsonNode overlay) {
        for (Map.Entry<String, JsonNode> entry : overlay.properties()) {
            JsonNode existing = target.get(entry.getKey());
            if (existing instanceof ObjectNode object && entry.getValue().isObject()) {
                merge(object, entry.getValue());
            } else {
                target.set(entry.getKey(), entry.getValue());
            }
        }
    }

    private static synchronized Path hooksVisibleCopy() {
        if (hooksVisible == null) {
            hooksVisible = copy(SOURCE, true);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(hooksVisible)));
        }
        return hooksVisible;
    }

    private static Path copy(Path chart, boolean showHooks) {
        try {
            Path target = Files.createTempDirectory("chart-").resolve("hami");
            try (Stream<Path> files = Files.walk(chart)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    Path to = target.resolve(chart.relativize(file).toString());
                    if (Files.isDirectory(file)) {
                        Files.createDirectories(to);
                    } else if (showHooks && file.startsWith(chart.resolve("templates"))) {
                        Files.writeString(to, Files.readString(file).replace(HOOK + ":", HOOK_STAND_IN + ":"));
                    } else {
                        Files.copy(file, to);
                    }
                }
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path chart) {
        try (Stream<Path> files = Files.walk(chart.getParent())) {
            files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(file -> file.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
