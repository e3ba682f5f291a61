package dev.gpushare.charts;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** {@code docs/install.md} against the chart: the values reference, the RBAC table, every value any doc names. */
class InstallDocTest {

    static final Path REPOSITORY = Paths.get("..").toAbsolutePath().normalize();
    static final Path INSTALL = REPOSITORY.resolve("docs/install.md");
    private static final Pattern CODE_SPAN = Pattern.compile("`([^`\\n]+)`");
    private static final Set<String> TOP_LEVEL_MAPS = Set.of("global", "scheduler", "devicePlugin",
            "mockDevicePlugin", "devices", "prometheus", "podSecurityPolicy", "device-config");

    @Test
    void theValuesReferenceListsEveryKeyOfValuesYamlAndNothingElse() throws IOException {
        Map<String, JsonNode> paths = paths();
        List<String> documented = new ArrayList<>();
        for (List<String> row : table(section("## Values reference"), "value")) {
            documented.add(unquote(row.get(0)));
        }

        assertThat(documented).doesNotHaveDuplicates();
        assertThat(documented).as("documented values that values.yaml does not have")
                .allSatisfy(key -> assertThat(paths).containsKey(key));
        List<String> undocumented = paths.entrySet().stream()
                .filter(entry -> !(entry.getValue().isObject() && !entry.getValue().isEmpty()))
                .map(Map.Entry::getKey)
                .filter(leaf -> documented.stream().noneMatch(key -> leaf.equals(key) || leaf.startsWith(key + ".")))
                .toList();
        assertThat(undocumented).as("keys of values.yaml missing from the values reference").isEmpty();
    }

    @Test
    void noDocumentNamesAChartValueThatDoesNotExist() throws IOException {
        Set<String> paths = paths().keySet();
        List<Path> documents = new ArrayList<>();
        documents.add(REPOSITORY.resolve("README.md"));
        try (Stream<Path> docs = Files.walk(REPOSITORY.resolve("docs"))) {
            docs.filter(file -> file.toString().endsWith(".md")).forEach(documents::add);
        }
        Set<String> unknown = new TreeSet<>();
        for (Path document : documents) {
            Matcher span = CODE_SPAN.matcher(Files.readString(document));
            while (span.find()) {
                String token = span.group(1).split("[=: ,]", 2)[0];
                int dot = token.indexOf('.');
                if (dot > 0 && TOP_LEVEL_MAPS.contains(token.substring(0, dot))
                        && !token.matches(".*\\.(yaml|yml|json|md|txt|tpl)$") && !paths.contains(token)) {
                    unknown.add(REPOSITORY.relativize(document) + ": " + token);
                }
            }
        }

        assertThat(unknown).as("chart values named in the docs that values.yaml does not have").isEmpty();
    }

    @Test
    void theRbacTableIsExactlyWhatTheChartGrants() throws IOException {
        Rendered rendered = Chart.render(Chart.Options.defaults());
        Set<String> documented = new LinkedHashSet<>();
        for (List<String> row : table(section("## RBAC"), "role")) {
            String names = row.get(3).equals("schedulerName") ? "hami-scheduler" : row.get(3);
            documented.add(String.join(" | ", row.get(0), row.get(1).equals("core") ? "" : row.get(1), row.get(2),
                    names, row.get(4)));
        }
        Set<String> granted = new LinkedHashSet<>();
        for (String name : List.of("hami-scheduler", "hami-admission")) {
            rendered.get(ClusterRole.class, name).getRules().forEach(rule -> expand("ClusterRole " + name, rule, granted));
            rendered.get(Role.class, name).getRules().forEach(rule -> expand("Role " + name, rule, granted));
        }

        assertThat(granted).containsExactlyInAnyOrderElementsOf(documented);
    }

    private static void expand(String role, PolicyRule rule, Set<String> into) {
        for (String group : rule.getApiGroups()) {
            for (String resource : rule.getResources()) {
                for (String verb : rule.getVerbs()) {
                    into.add(String.join(" | ", role, group, resource, String.join(",", rule.getResourceNames()),
                            verb));
                }
            }
        }
    }

    /** Every key path of values.yaml (maps are descended), with its node. */
    static Map<String, JsonNode> paths() throws IOException {
        JsonNode values = YAMLMapper.builder().build().readTree(Chart.SOURCE.resolve("values.yaml").toFile());
        Map<String, JsonNode> paths = new LinkedHashMap<>();
        collect("", values, paths);
        return paths;
    }

    private static void collect(String prefix, JsonNode node, Map<String, JsonNode> into) {
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            String path = prefix.isEmpty() ? entry.getKey() : prefix + "." + entry.getKey();
            into.put(path, entry.getValue());
            if (entry.getValue().isObject()) {
                collect(path, entry.getValue(), into);
            }
        }
    }

    static String section(String heading) throws IOException {
        String text = Files.readString(INSTALL);
        int start = text.indexOf("\n" + heading + "\n");
        assertThat(start).as("install.md has %s", heading).isNotNegative();
        int end = text.indexOf("\n## ", start + heading.length() + 1);
        return text.substring(start, end < 0 ? text.length() : end);
    }

    /** The rows of the Markdown table whose first header cell is {@code firstHeader}, cells trimmed. */
    static List<List<String>> table(String text, String firstHeader) {
        List<List<String>> rows = new ArrayList<>();
        boolean inTable = false;
        for (String line : text.lines().toList()) {
            if (!line.startsWith("|")) {
                inTable = false;
                continue;
            }
            List<String> cells = new ArrayList<>();
            for (String cell : line.substring(1, line.length() - 1).split("\\|", -1)) {
                cells.add(cell.trim());
            }
            if (cells.get(0).equals(firstHeader)) {
                inTable = true;
            } else if (inTable && !cells.get(0).startsWith("---")) {
                rows.add(cells);
            }
        }
        assertThat(rows).as("table starting with %s", firstHeader).isNotEmpty();
        return rows;
    }

    private static String unquote(String cell) {
        assertThat(cell).startsWith("`").endsWith("`");
        return cell.substring(1, cell.length() - 1);
    }
}
