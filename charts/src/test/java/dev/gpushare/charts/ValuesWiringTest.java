package dev.gpushare.charts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Every key of values.yaml is read by a template or a rendered file: none is dead. Read from the template text,
 * with the chart's variable aliases ({@code $s := .Values.scheduler}) expanded; a whole top-level map handed to a
 * helper ({@code .Values.global}) does not count for its keys, the helper's own {@code .global.x} does.
 */
class ValuesWiringTest {

    private static final Pattern ALIAS = Pattern.compile("\\$(\\w+) := \\.Values((?:\\.[\\w-]+)*)\\s*-?}}");
    private static final Pattern REFERENCE = Pattern.compile("\\.Values((?:\\.[\\w-]+)+)");
    private static final Pattern VENDORS = Pattern.compile("range \\$vendor := list((?: \"\\w+\")+)");
    private static final Set<String> TOP_LEVEL_MAPS = Set.of("global", "scheduler", "devicePlugin", "devices");

    @Test
    void everyKeyIsReadByATemplate() throws IOException {
        Set<String> referenced = referencedPaths();
        List<String> dead = new ArrayList<>();
        for (Map.Entry<String, JsonNode> key : InstallDocTest.paths().entrySet()) {
            boolean leaf = !(key.getValue().isObject() && !key.getValue().isEmpty());
            if (leaf && referenced.stream().noneMatch(ref -> key.getKey().equals(ref)
                    || (!TOP_LEVEL_MAPS.contains(ref) && key.getKey().startsWith(ref + ".")))) {
                dead.add(key.getKey());
            }
        }

        assertThat(dead).as("keys of values.yaml that no template reads").isEmpty();
    }

    private static Set<String> referencedPaths() throws IOException {
        Set<String> paths = new LinkedHashSet<>();
        List<Path> files = new ArrayList<>();
        for (String dir : List.of("templates", "files")) {
            try (Stream<Path> walk = Files.walk(Chart.SOURCE.resolve(dir))) {
                walk.filter(Files::isRegularFile).forEach(files::add);
            }
        }
        for (Path file : files) {
            String text = Files.readString(file).replace("$.Values.", ".Values.").replace(".global.", ".Values.global.");
            Map<String, String> aliases = new LinkedHashMap<>();
            Matcher alias = ALIAS.matcher(text);
            while (alias.find()) {
                aliases.put(alias.group(1), alias.group(2));
            }
            text = ALIAS.matcher(text).replaceAll("}}");
            for (Map.Entry<String, String> entry : aliases.entrySet()) {
                text = text.replaceAll("\\$" + entry.getKey() + "(?=[.\\s)}])", ".Values" + entry.getValue());
            }
            text = text.replace(".Values.Values.", ".Values.");
            Matcher reference = REFERENCE.matcher(text);
            while (reference.find()) {
                paths.add(reference.group(1).substring(1));
            }
            if (text.contains("(index .Values \"device-config\") \"content\"")) {
                paths.add("device-config.content");
            }
            Matcher vendors = VENDORS.matcher(text);
            while (vendors.find()) {
                for (String vendor : vendors.group(1).trim().replace("\"", "").split(" ")) {
                    paths.add("devices." + vendor + ".enabled");
                    paths.add("devices." + vendor + ".customresources");
                }
            }
        }
        return paths;
    }
}
