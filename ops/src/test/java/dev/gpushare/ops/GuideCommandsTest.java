package dev.gpushare.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpushare.placement.FailureReason;
import dev.gpushare.testkit.GuideBlocks;
import dev.gpushare.testkit.GuideBlocks.Line;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The guides in {@code docs/operations/} are run, not just read: every {@code gpushare} line of their {@code sh}
 * blocks runs, in guide order, against one prepared healthy cluster (with a stand-in scheduler for the smoke test);
 * every {@code helm} line names only chart values that exist; the troubleshooting guide has a row for exactly the
 * reasons the placement engine can give.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GuideCommandsTest {

    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final Path GUIDES = REPO.resolve("docs/operations");
    private static final Path CHART = REPO.resolve("charts/hami");
    private static final List<String> ORDER = GuideBlocks.OPERATIONS;
    /** Exit codes other than 0 that a guide line expects, by a substring of the line. */
    private static final Map<String, Integer> EXPECTED_EXIT = Map.of(
            "--release gpushare", 3);

    @TempDir
    Path work;

    private OpsApi api;
    private StandIn standIn;

    @BeforeAll
    void start() {
        api = OpsApi.start("v1.30.2");
        Clusters.healthy(api.client);
        standIn = new StandIn(api.client, "success");
    }

    @AfterAll
    void stop() {
        api.close();
        standIn.close();
    }

    private static List<Line> lines(String language) {
        return GuideBlocks.operations(REPO, language);
    }

    @Test
    void everyGuideIsListedAndEveryShellLineIsAKnownCommand() throws IOException {
        try (Stream<Path> files = Files.list(GUIDES)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrderElementsOf(ORDER);
        }
        assertThat(lines("sh")).extracting(l -> l.words().get(0)).allMatch(
                command -> Set.of("gpushare", "helm", "kubectl", "alias", "./mvnw", "grep").contains(command));
    }

    @TestFactory
    Stream<DynamicTest> everyGpushareLineRunsAgainstAPreparedCluster() throws IOException {
        return lines("sh").stream().filter(l -> l.text().startsWith("gpushare ")).map(line ->
                DynamicTest.dynamicTest(line.toString(), () -> {
                    List<String> tokens = line.words();
                    Path redirect = null;
                    int arrow = tokens.indexOf(">");
                    if (arrow >= 0) {
                        redirect = work.resolve(tokens.get(arrow + 1));
                        tokens = tokens.subList(0, arrow);
                    }
                    String[] args = tokens.subList(1, tokens.size()).stream()
                            .map(t -> t.endsWith(".json") ? work.resolve(t).toString() : t).toArray(String[]::new);
                    OpsRun run = OpsRun.of(api.client, Clusters.CLOCK, args);
                    int expected = EXPECTED_EXIT.entrySet().stream().filter(e -> line.text().contains(e.getKey()))
                            .map(Map.Entry::getValue).findFirst().orElse(0);
                    assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(expected);
                    if (redirect != null) {
                        Files.writeString(redirect, run.out(), StandardCharsets.UTF_8);
                    }
                }));
    }

    @Test
    void theAliasRunsTheJarTheBuildMakes() throws IOException {
        String version = projectVersion();
        assertThat(lines("sh")).extracting(Line::text).contains(
                "alias gpushare='java -jar scheduler/target/gpushare-scheduler-" + version + "-exec.jar'");
    }

    private static String projectVersion() throws IOException {
        Matcher m = Pattern.compile("<artifactId>gpushare-parent</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Files.readString(REPO.resolve("scheduler/pom.xml")));
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    @Test
    void everyHelmLineNamesOnlyValuesOfTheChart() throws IOException {
        JsonNode values = new YAMLMapper().readTree(CHART.resolve("values.yaml").toFile());
        List<String> missing = new ArrayList<>();
        for (Line line : lines("sh")) {
            List<String> tokens = line.words();
            if (!tokens.get(0).equals("helm")) {
                continue;
            }
            assertThat(tokens.get(1)).as(line.toString())
                    .isIn("install", "upgrade", "rollback", "history", "get", "template", "package");
            if (Set.of("install", "upgrade", "template", "package").contains(tokens.get(1))) {
                assertThat(tokens).as(line + " names the chart directory").contains("charts/hami");
            }
            for (int i = 0; i < tokens.size() - 1; i++) {
                if (tokens.get(i).equals("--set")) {
                    String key = tokens.get(i + 1).substring(0, tokens.get(i + 1).indexOf('='));
                    if (!exists(values, key)) {
                        missing.add(line + " -> " + key);
                    }
                }
                if (tokens.get(i).equals("-f") && tokens.get(i + 1).startsWith("charts/")) {
                    Path file = REPO.resolve(tokens.get(i + 1));
                    assertThat(file).as(line.toString()).exists();
                    for (String key : leafKeys(new YAMLMapper().readTree(file.toFile()), "")) {
                        if (!exists(values, key)) {
                            missing.add(line + " -> " + tokens.get(i + 1) + " " + key);
                        }
                    }
                }
            }
        }
        assertThat(missing).as("values the chart does not have").isEmpty();
    }

    @Test
    void everyChartValueTheGuidesNameExists() throws IOException {
        JsonNode values = new YAMLMapper().readTree(CHART.resolve("values.yaml").toFile());
        Pattern value = Pattern.compile("`((?:global|scheduler|devicePlugin|device-config)\\.[A-Za-z.]+)`");
        List<String> missing = new ArrayList<>();
        for (String guide : ORDER) {
            Matcher m = value.matcher(Files.readString(GUIDES.resolve(guide), StandardCharsets.UTF_8));
            while (m.find()) {
                String key = m.group(1).replaceAll("\\.$", "");
                if (!exists(values, key)) {
                    missing.add(guide + ": " + key);
                }
            }
        }
        assertThat(missing).as("chart values named in the guides that values.yaml does not have").isEmpty();
    }

    private static boolean exists(JsonNode values, String dottedKey) {
        JsonNode node = values;
        for (String part : dottedKey.split("\\.")) {
            if (node == null || !node.isObject() || !node.has(part)) {
                return false;
            }
            node = node.get(part);
        }
        return true;
    }

    private static List<String> leafKeys(JsonNode node, String prefix) {
        if (!node.isObject()) {
            return List.of(prefix);
        }
        List<String> keys = new ArrayList<>();
        node.properties().forEach(e -> keys.addAll(leafKeys(e.getValue(),
                prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey())));
        return keys;
    }

    @Test
    void theReasonTableListsExactlyTheReasonsFilterCanGive() throws IOException {
        String guide = Files.readString(GUIDES.resolve("troubleshooting.md"), StandardCharsets.UTF_8);
        String table = guide.substring(guide.indexOf("## By reason"));
        Set<String> documented = new LinkedHashSet<>();
        Matcher row = Pattern.compile("(?m)^\\| `([^`]+)` \\| [^|]+ \\| (yes|no) \\|").matcher(table);
        while (row.find()) {
            documented.add(row.group(1) + " " + row.group(2));
        }
        Set<String> reasons = Arrays.stream(FailureReason.values())
                .map(r -> r.wireName() + " " + (r.resolvable() ? "yes" : "no"))
                .collect(Collectors.toCollection(LinkedHashSet::new));
        assertThat(documented).as("reason and whether preemption can help")
                .containsExactlyInAnyOrderElementsOf(reasons);
    }
}
