package dev.gpushare.charts;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import dev.gpushare.testkit.GuideBlocks;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The {@code helm} lines of {@code docs/operations/}: every install, upgrade and template line renders and lints
 * ({@code --strict}) with its values, each {@code --set} the guides use does what the guide says, the offline guide's
 * collect step finds only internal images and packages the chart, and the lines that need an installed release are
 * listed with the reason. The {@code kubectl} lines run in {@link GuideKubectlTest}.
 */
class OperationsGuidesTest {

    private static final Path REPO = Paths.get("..").toAbsolutePath().normalize();
    private static final YAMLMapper YAML = YAMLMapper.builder().build();
    private static final Pattern SET = Pattern.compile("--set \"?([^=\\s]+)=([^\"\\s]*)\"?");

    /** The verbs whose lines are rendered and linted with their values. */
    private static final List<String> RENDERED = List.of("install", "upgrade", "template");
    /** helm lines that work on a release stored in a cluster (none exists here), by their first words, and why. */
    private static final Map<String, String> NEEDS_A_RELEASE = Map.of(
            "helm get values", "prints the values of the installed release; the lines that pass its output to"
                    + " helm upgrade -f are rendered with the chart's defaults, the values of a default install",
            "helm history", "lists the revisions of the installed release",
            "helm rollback", "re-applies a stored revision; rollback.md's table of what it does to each piece of"
                    + " state is checked against the chart's hooks (CertificateJobsTest)");

    static List<String> lines(String command) {
        return GuideBlocks.operations(REPO, "sh").stream().map(GuideBlocks.Line::text)
                .filter(l -> l.startsWith(command + " ")).toList();
    }

    /**
     * The values a guide's {@code helm install|upgrade|template} line gives (exported values files aside, which
     * hold the release's own values): its {@code -f charts/...} files, then one file with its {@code --set}s, typed
     * as {@code --set} types them ({@code false} a boolean, {@code {a,b}} a list).
     */
    static List<Path> valuesFiles(String line) throws IOException {
        List<Path> files = new ArrayList<>();
        Matcher file = Pattern.compile("-f (charts/\\S+)").matcher(line);
        while (file.find()) {
            files.add(REPO.resolve(file.group(1)));
        }
        ObjectNode sets = YAML.createObjectNode();
        Matcher set = SET.matcher(line);
        while (set.find()) {
            ObjectNode parent = sets;
            String[] keys = set.group(1).split("\\.");
            for (int i = 0; i < keys.length - 1; i++) {
                parent = parent.has(keys[i]) ? (ObjectNode) parent.get(keys[i]) : parent.putObject(keys[i]);
            }
            String value = set.group(2);
            if (value.startsWith("{") && value.endsWith("}")) {
                ArrayNode list = parent.putArray(keys[keys.length - 1]);
                for (String item : value.substring(1, value.length() - 1).split(",")) {
                    list.add(item);
                }
            } else {
                parent.set(keys[keys.length - 1], YAML.readTree(value));
            }
        }
        if (!sets.isEmpty()) {
            Path values = Files.createTempFile("guide-set-", ".yaml");
            values.toFile().deleteOnExit();
            YAML.writeValue(values.toFile(), sets);
            files.add(values);
        }
        return files;
    }

    private static Rendered render(String line) throws IOException {
        Chart.Options options = Chart.Options.defaults();
        for (Path file : valuesFiles(line)) {
            options = options.values(file);
        }
        return Chart.render(options);
    }

    @Test
    void everyInstallUpgradeAndTemplateLineRendersAndLints() throws IOException {
        List<String> lines = new ArrayList<>();
        for (String verb : RENDERED) {
            lines("helm").stream().filter(l -> l.startsWith("helm " + verb + " ")).forEach(lines::add);
        }
        assertThat(lines).isNotEmpty();
        for (String line : lines) {
            assertThat(render(line).scheduler()).as(line).isNotNull();
            LintResult lint = Chart.lintStrict(valuesFiles(line));
            assertThat(lint.isFailed()).as("lint --strict with the values of %s: %s", line, lint.getMessages())
                    .isFalse();
            assertThat(lint.getMessages()).as(line).noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
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
    void everyHelmLineIsRenderedPackagedOrListedWithTheReason() {
        List<String> unchecked = new ArrayList<>();
        for (String line : lines("helm")) {
            String verb = line.split(" ")[1];
            boolean checked = RENDERED.contains(verb) || verb.equals("package")
                    || NEEDS_A_RELEASE.keySet().stream().anyMatch(prefix -> line.startsWith(prefix + " "));
            if (!checked) {
                unchecked.add(line);
            }
        }
        assertThat(unchecked).as("helm lines neither rendered, packaged nor listed in NEEDS_A_RELEASE").isEmpty();
    }

    @Test
    void theOfflineCollectStepListsOnlyInternalImagesAndPackagesTheChart() throws IOException {
        String template = only(lines("helm"), "helm template");
        assertThat(template).endsWith(" > rendered.yaml");
        List<String> grep = GuideBlocks.operations(REPO, "sh").stream().map(GuideBlocks.Line::text)
                .filter(l -> l.startsWith("grep ")).toList();
        assertThat(grep).containsExactly("grep -h 'image:' rendered.yaml | sort -u");
        // The grep, on what helm-java renders for the template line (hooks included, as `helm template` prints them).
        List<String> images = render(template).manifest().lines().map(String::strip)
                .filter(l -> l.contains("image:")).distinct().sorted().toList();
        assertThat(images).isNotEmpty().allMatch(l -> l.matches("image: \"?registry\\.internal\\.example:5000/.+"));

        assertThat(lines("helm")).contains("helm package charts/hami");
        Path destination = Files.createTempDirectory("guide-package-");
        new Helm(Chart.SOURCE).packageIt().withDestination(destination).call();
        String version = YAML.readTree(Chart.SOURCE.resolve("Chart.yaml").toFile()).path("version").asString();
        assertThat(destination.resolve("hami-" + version + ".tgz")).isNotEmptyFile();
    }

    private static String only(List<String> lines, String fragment) {
        List<String> matching = lines.stream().filter(l -> l.contains(fragment)).toList();
        assertThat(matching).as("helm lines with " + fragment).hasSize(1);
        return matching.get(0);
    }
}
