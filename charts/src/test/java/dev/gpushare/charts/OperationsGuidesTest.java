package dev.gpushare.charts;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The {@code helm} and {@code kubectl} lines of {@code docs/operations/}: every install, upgrade and template line
 * renders with its values, each {@code --set} the guides use does what the guide says, and the objects and labels the
 * {@code kubectl} lines name are the chart's.
 */
class OperationsGuidesTest {

    private static final Path REPO = Paths.get("..").toAbsolutePath().normalize();
    private static final Path GUIDES = REPO.resolve("docs/operations");
    private static final Pattern SH = Pattern.compile("(?m)^```sh\\n(.*?)^```", Pattern.DOTALL);
    private static final Pattern SET = Pattern.compile("--set \"?([^=\\s]+)=([^\"\\s]*)\"?");

    private static List<String> lines(String command) throws IOException {
        List<String> lines = new ArrayList<>();
        try (var files = Files.list(GUIDES)) {
            for (Path guide : files.sorted().toList()) {
                Matcher block = SH.matcher(Files.readString(guide, StandardCharsets.UTF_8));
                while (block.find()) {
                    block.group(1).lines().map(String::strip).filter(l -> l.startsWith(command + " ")).forEach(lines::add);
                }
            }
        }
        return lines;
    }

    /**
     * The render a guide's {@code helm install|upgrade|template} line asks for (exported values files aside). A
     * {@code --set key={a,b}} list goes in through a values file: helm-java passes every {@code set} as a string.
     */
    private static Rendered render(String line) throws IOException {
        Chart.Options options = Chart.Options.defaults();
        Matcher file = Pattern.compile("-f (charts/\\S+)").matcher(line);
        while (file.find()) {
            options = options.values(REPO.resolve(file.group(1)));
        }
        Matcher set = SET.matcher(line);
        while (set.find()) {
            String value = set.group(2);
            if (value.startsWith("{") && value.endsWith("}")) {
                options = options.values(listValues(set.group(1), value.substring(1, value.length() - 1)));
            } else {
                options = options.set(set.group(1), value);
            }
        }
        return Chart.render(options);
    }

    private static Path listValues(String dottedKey, String items) throws IOException {
        StringBuilder yaml = new StringBuilder();
        String[] parts = dottedKey.split("\\.");
        for (int i = 0; i < parts.length; i++) {
            yaml.append("  ".repeat(i)).append(parts[i]).append(':').append('\n');
        }
        for (String item : items.split(",")) {
            yaml.append("  ".repeat(parts.length)).append("- \"").append(item).append("\"\n");
        }
        Path file = Files.createTempFile("guide-set-", ".yaml");
        file.toFile().deleteOnExit();
        Files.writeString(file, yaml.toString(), StandardCharsets.UTF_8);
        return file;
    }

    @Test
    void everyInstallUpgradeAndTemplateLineRenders() throws IOException {
        List<String> lines = new ArrayList<>();
        for (String verb : List.of("install", "upgrade", "template")) {
            lines("helm").stream().filter(l -> l.startsWith("helm " + verb + " ")).forEach(lines::add);
        }
        assertThat(lines).isNotEmpty();
        for (String line : lines) {
            assertThat(render(line).scheduler()).as(line).isNotNull();
        }
    }

    @Test
    void theSetsOfTheGuidesDoWhatTheGuidesSay() throws IOException {
        String onDelete = only(lines("helm"), "devicePlugin.updateStrategy.type=OnDelete");
        assertThat(render(onDelete).get(DaemonSet.class, "hami-device-plugin").getSpec().getUpdateStrategy()
                .getType()).isEqualTo("OnDelete");

        String skip = only(lines("helm"), "skip-upgrading-nodes");
        assertThat(render(skip).extender().getArgs()).contains("--hami.policy.skip-upgrading-nodes=false");

        Rendered canary = render(only(lines("helm"), "schedulerName=gpushare-canary"));
        assertThat(canary.all(DaemonSet.class)).as("no device plugin of its own").isEmpty();
        assertThat(canary.all(MutatingWebhookConfiguration.class)).as("no webhook of its own").isEmpty();
        assertThat(canary.extenderEnv()).containsEntry("HAMI_SCHEDULERNAME", "gpushare-canary")
                .containsEntry("HAMI_LEADERELECTION_LEASENAME", "gpushare-canary");
    }

    @Test
    void theObjectsAndLabelsOfTheKubectlLinesAreTheCharts() throws IOException {
        Rendered defaults = Chart.render(Chart.Options.defaults());
        List<String> kubectl = lines("kubectl");
        assertThat(kubectl).anyMatch(l -> l.contains("deployment/hami-scheduler"));
        assertThat(defaults.get(Deployment.class, "hami-scheduler")).isNotNull();

        assertThat(kubectl).anyMatch(l -> l.contains("-l app.kubernetes.io/component=hami-device-plugin"));
        assertThat(defaults.get(DaemonSet.class, "hami-device-plugin").getSpec().getTemplate().getMetadata()
                .getLabels()).containsEntry("app.kubernetes.io/component", "hami-device-plugin");

        assertThat(kubectl).anyMatch(l -> l.contains("get secret hami-scheduler-tls"));
        assertThat(defaults.scheduler().getSpec().getTemplate().getSpec().getVolumes()).extracting(Volume::getSecret)
                .anyMatch(secret -> secret != null && "hami-scheduler-tls".equals(secret.getSecretName()));
    }

    private static String only(List<String> lines, String fragment) {
        List<String> matching = lines.stream().filter(l -> l.contains(fragment)).toList();
        assertThat(matching).as("helm lines with " + fragment).hasSize(1);
        return matching.get(0);
    }
}
