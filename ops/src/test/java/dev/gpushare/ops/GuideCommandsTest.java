package dev.gpushare.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gpushare.placement.FailureReason;
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
    private static final List<String> ORDER = List.of("README.md", "upgrade.md", "migration.md", "rollback.md",
            "driver-upgrades.md", "backup-and-recovery.md", "offline-install.md", "troubleshooting.md");
    private static final Pattern FENCE = Pattern.compile("(?m)^```(\\w*)\\n(.*?)^```", Pattern.DOTALL);
    private static final Pattern TOKEN = Pattern.compile("\"([^\"]*)\"|'([^']*)'|(\\S+)");
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
        standIn.close();
        api.close();
    }

    record Line(String guide, String text) {
        @Override
        public String toString() {
            return guide + ": " + text;
        }
    }

    private static List<Line> lines(String language) throws IOException {
        List<Line> lines = new ArrayList<>();
        for (String guide : ORDER) {
            Matcher m = FENCE.matcher(Files.readString(GUIDES.resolve(guide), StandardCharsets.UTF_8));
            while (m.find()) {
                if (m.group(1).equals(language)) {
                    m.group(2).lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#"))
                            .forEach(l -> lines.add(new Line(guide, l)));
                }
            }
        }
        return lines;
    }

    private static List<String> tokens(String line) {
        List<String> tokens = new ArrayList<>();
        Matcher m = TOKEN.matcher(line);
        while (m.find()) {
            tokens.add(m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3));
        }
        return tokens;
    }

    @Test
    void everyGuideIsListedAndEveryShellLineIsAKnownCommand() throws IOException {
        try (Stream<Path> files = Files.list(GUIDES)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrderElementsOf(ORDER);
        }
        assertThat(lines("sh")).extracting(l -> tokens(l.text()).get(0)).allMatch(
                command -> Set.of("gpushare", "helm", "kubectl", "alias", "./mvnw", "grep").contains(command));
    }

    @TestFactory
    Stream<DynamicTest> everyGpushareLineRunsAgainstAPreparedCluster() throws IOException {
        return lines("sh").stream().filter(l -> l.text().startsWith("gpushare ")).map(line ->
                DynamicTest.dynamicTest(line.toString(), () -> {
                    List<String> tokens = tokens(line.text());
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
        assumeTrue(Files.exists(CHART.resolve("values.yaml")), "charts/hami is not in the repository yet");
        JsonNode values = new YAMLMapper().readTree(CHART.resolve("values.yaml").toFile());
        List<String> missing = new ArrayList<>();
        for (Line line : lines("sh")) {
            List<String> tokens = tokens(line.text());
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
                if (tokens.get(i).equals("-f") && tokens.get(i + 1).equals("values-offline.yaml")) {
                    for (String key : leafKeys(offlineValues(), "")) {
                        if (!exists(values, key)) {
                            missing.add(line + " -> values-offline.yaml " + key);
                        }
                    }
                }
            }
        }
        assertThat(missing).as("values the chart does not have").isEmpty();
    }

    private static JsonNode offlineValues() throws IOException {
        Matcher m = FENCE.matcher(Files.readString(GUIDES.resolve("offline-install.md")));
        while (m.find()) {
            if (m.group(1).equals("yaml")) {
                return new YAMLMapper().readTree(m.group(2));
            }
        }
        throw new AssertionError("offline-install.md has no yaml block");
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
