package dev.gpushare.common.config;

import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Maps the YAML tree of a {@code device-config.yaml} onto {@link DeviceConfig}, filling every key the file omits
 * from a fallback {@link NvidiaConfig}; the rules are documented on {@link DeviceConfig}.
 */
final class DeviceConfigReader {

    private static final YAMLMapper YAML = YAMLMapper.builder().build();
    private static final Set<String> CORE_POLICIES = Set.of("default", "force", "disable");

    private DeviceConfigReader() {
    }

    /**
     * @param fallback values for keys the {@code nvidia} section omits; {@code null} requires every key (used for
     *                 the shipped defaults, which must be complete)
     */
    static DeviceConfig read(String yaml, NvidiaConfig fallback) throws DeviceConfigException {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (RuntimeException e) {
            // Jackson and the YAML engine under it signal every syntax problem with unchecked exceptions.
            throw new DeviceConfigException("device config is not valid YAML: " + e.getMessage(), e);
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            root = YAML.createObjectNode();
        }
        if (!root.isObject()) {
            throw new DeviceConfigException("device config: expected a mapping of vendor sections, got "
                    + root.getNodeType());
        }
        Map<String, Object> others = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> section : root.properties()) {
            if (!section.getKey().equals("nvidia") && !section.getValue().isNull()) {
                others.put(section.getKey(), plain(section.getValue()));
            }
        }
        JsonNode nvidia = root.hasNonNull("nvidia") ? root.get("nvidia") : YAML.createObjectNode();
        return new DeviceConfig(nvidia(nvidia, fallback), others);
    }

    /** The {@code nvidia} section; keys it omits come from {@code d}, and must all be present when that is null. */
    private static NvidiaConfig nvidia(JsonNode node, NvidiaConfig d) throws DeviceConfigException {
        Section s = new Section(node, "nvidia");
        NvidiaConfig config = new NvidiaConfig(
                s.name("resourceCountName").orFrom(d, NvidiaConfig::resourceCountName),
                s.optionalName("resourceMemoryName").orFrom(d, NvidiaConfig::resourceMemoryName),
                s.optionalName("resourceMemoryPercentageName").orFrom(d, NvidiaConfig::resourceMemoryPercentageName),
                s.optionalName("resourceCoreName").orFrom(d, NvidiaConfig::resourceCoreName),
                s.optionalName("resourcePriorityName").orFrom(d, NvidiaConfig::resourcePriorityName),
                s.bool("overwriteEnv").orFrom(d, NvidiaConfig::overwriteEnv),
                s.integer("defaultMemory", 0, Integer.MAX_VALUE).orFrom(d, NvidiaConfig::defaultMemory),
                s.integer("defaultCores", 0, 100).orFrom(d, NvidiaConfig::defaultCores),
                s.integer("defaultGPUNum", 0, Integer.MAX_VALUE).orFrom(d, NvidiaConfig::defaultGPUNum),
                s.integer("memoryFactor", 0, Integer.MAX_VALUE).orFrom(d, NvidiaConfig::memoryFactor),
                s.string("gpuCorePolicy").orFrom(d, NvidiaConfig::gpuCorePolicy),
                s.string("runtimeClassName").orFrom(d, NvidiaConfig::runtimeClassName),
                s.migRules("knownMigGeometries").orFrom(d, NvidiaConfig::knownMigGeometries),
                node.hasNonNull("migProfileAllowlist")
                        ? migProfileAllowlist(node.get("migProfileAllowlist"), "nvidia.migProfileAllowlist")
                        : List.of());
        if (!CORE_POLICIES.contains(config.gpuCorePolicy())) {
            throw new DeviceConfigException("nvidia.gpuCorePolicy: expected default, force or disable, got \""
                    + config.gpuCorePolicy() + "\"");
        }
        return config;
    }

    private static List<MigGeometryRule> migRules(JsonNode node, String path) throws DeviceConfigException {
        List<MigGeometryRule> rules = new ArrayList<>();
        List<JsonNode> ruleNodes = list(node, path);
        for (int i = 0; i < ruleNodes.size(); i++) {
            String at = path + "[" + i + "]";
            Section rule = new Section(ruleNodes.get(i), at);
            List<String> models = new ArrayList<>();
            List<JsonNode> modelNodes = list(rule.child("models"), at + ".models");
            for (int m = 0; m < modelNodes.size(); m++) {
                models.add(text(modelNodes.get(m), at + ".models[" + m + "]"));
            }
            List<List<MigTemplate>> geometries = new ArrayList<>();
            List<JsonNode> geometryNodes = list(rule.child("allowedGeometries"), at + ".allowedGeometries");
            for (int g = 0; g < geometryNodes.size(); g++) {
                String gAt = at + ".allowedGeometries[" + g + "]";
                List<JsonNode> templateNodes = list(geometryNodes.get(g), gAt);
                List<MigTemplate> geometry = new ArrayList<>();
                for (int t = 0; t < templateNodes.size(); t++) {
                    Section template = new Section(templateNodes.get(t), gAt + "[" + t + "]");
                    // Go's YAML decoder leaves an absent number 0: configs older than MIG cores have no core.
                    geometry.add(new MigTemplate(template.string("name").required(),
                            template.integer("core", 0, 100).orElse(0),
                            template.integer("memory", 0, Integer.MAX_VALUE).orElse(0),
                            template.integer("count", 0, Integer.MAX_VALUE).orElse(0)));
                }
                geometries.add(geometry);
            }
            rules.add(new MigGeometryRule(models, geometries));
        }
        return rules;
    }

    /**
     * HAMi v2.10's {@code migProfileAllowlist} (dynamic MIG), checked as HAMi's {@code ValidateMigProfileAllowlist}
     * checks it, which stops HAMi's scheduler at start-up: every entry names models and profiles, and a profile is
     * {@code <n>g.<memory>}. Placement restricts the MIG templates of the matching GPU models to these profiles.
     */
    private static List<AllowedMigProfiles> migProfileAllowlist(JsonNode node, String path)
            throws DeviceConfigException {
        List<AllowedMigProfiles> allowlist = new ArrayList<>();
        List<JsonNode> entries = list(node, path);
        for (int i = 0; i < entries.size(); i++) {
            String at = path + "[" + i + "]";
            Section entry = new Section(entries.get(i), at);
            List<JsonNode> modelNodes = list(entry.child("models"), at + ".models");
            List<JsonNode> profileNodes = list(entry.child("profiles"), at + ".profiles");
            if (modelNodes.isEmpty() || profileNodes.isEmpty()) {
                throw new DeviceConfigException(at + ": must list models and profiles");
            }
            List<String> models = new ArrayList<>();
            for (int m = 0; m < modelNodes.size(); m++) {
                models.add(text(modelNodes.get(m), at + ".models[" + m + "]"));
            }
            List<String> profiles = new ArrayList<>();
            for (int p = 0; p < profileNodes.size(); p++) {
                String profile = text(profileNodes.get(p), at + ".profiles[" + p + "]");
                int dot = profile.indexOf('.');
                if (dot < 2 || profile.charAt(dot - 1) != 'g') {
                    throw new DeviceConfigException(at + ".profiles[" + p + "]: expected a MIG profile such as"
                            + " 1g.10gb, got \"" + profile + "\"");
                }
                profiles.add(profile);
            }
            allowlist.add(new AllowedMigProfiles(models, profiles));
        }
        return allowlist;
    }

    /** The elements of a sequence; an absent or null one is empty. */
    private static List<JsonNode> list(JsonNode node, String path) throws DeviceConfigException {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new DeviceConfigException(path + ": expected a list, got " + node.getNodeType());
        }
        List<JsonNode> items = new ArrayList<>();
        node.forEach(items::add);
        return items;
    }

    private static String text(JsonNode node, String path) throws DeviceConfigException {
        if (!node.isString()) {
            throw new DeviceConfigException(path + ": expected a string, got " + node.getNodeType());
        }
        return node.stringValue();
    }

    /** The YAML value as plain Java values: unmodifiable maps and lists, strings, numbers, booleans, nulls. */
    private static Object plain(JsonNode node) {
        if (node.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            node.properties().forEach(e -> map.put(e.getKey(), plain(e.getValue())));
            return Collections.unmodifiableMap(map);
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>();
            node.forEach(item -> list.add(plain(item)));
            return Collections.unmodifiableList(list);
        }
        if (node.isNumber()) {
            return node.numberValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isNull()) {
            return null;
        }
        return node.asString();
    }

    /** One YAML mapping, read key by key with the key's path in every message. */
    private static final class Section {

        private final JsonNode node;
        private final String path;

        Section(JsonNode node, String path) throws DeviceConfigException {
            if (node == null || !node.isObject()) {
                throw new DeviceConfigException(path + ": expected a mapping, got "
                        + (node == null ? "nothing" : node.getNodeType()));
            }
            this.node = node;
            this.path = path;
        }

        private boolean has(String key) {
            return node.hasNonNull(key);
        }

        JsonNode child(String key) {
            return node.get(key);
        }

        private <T> Value<T> absent(String key) {
            return new Value<>(path + "." + key, null);
        }

        private <T> Value<T> present(String key, T value) {
            return new Value<>(path + "." + key, value);
        }

        Value<String> string(String key) throws DeviceConfigException {
            return has(key) ? present(key, text(node.get(key), path + "." + key)) : absent(key);
        }

        Value<String> name(String key) throws DeviceConfigException {
            Value<String> value = string(key);
            if (value.value() != null && value.value().isBlank()) {
                throw new DeviceConfigException(value.path() + ": must name a resource");
            }
            return value;
        }

        /** A resource name that may be empty, which HAMi reads as "no such resource". */
        Value<String> optionalName(String key) throws DeviceConfigException {
            Value<String> value = string(key);
            if (value.value() != null && !value.value().isEmpty() && value.value().isBlank()) {
                throw new DeviceConfigException(value.path() + ": must name a resource or be empty");
            }
            return value;
        }

        Value<Boolean> bool(String key) throws DeviceConfigException {
            if (!has(key)) {
                return absent(key);
            }
            JsonNode v = node.get(key);
            if (!v.isBoolean()) {
                throw new DeviceConfigException(path + "." + key + ": expected true or false, got " + v);
            }
            return present(key, v.booleanValue());
        }

        Value<Integer> integer(String key, int min, int max) throws DeviceConfigException {
            if (!has(key)) {
                return absent(key);
            }
            JsonNode v = node.get(key);
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < min || v.longValue() > max) {
                throw new DeviceConfigException(path + "." + key + ": expected an integer in [" + min + ", "
                        + max + "], got " + v);
            }
            return present(key, v.intValue());
        }

        Value<List<MigGeometryRule>> migRules(String key) throws DeviceConfigException {
            return has(key) ? present(key, DeviceConfigReader.migRules(node.get(key), path + "." + key))
                    : absent(key);
        }
    }

    /** A key's value as read, {@code null} when the file omits the key. */
    private record Value<T>(String path, T value) {

        T orElse(T zero) {
            return value == null ? zero : value;
        }

        T required() throws DeviceConfigException {
            if (value == null) {
                throw new DeviceConfigException(path + ": missing");
            }
            return value;
        }

        /** The value, else the fallback's; without a fallback the key is required. */
        T orFrom(NvidiaConfig fallback, Function<NvidiaConfig, T> key) throws DeviceConfigException {
            return value != null || fallback == null ? required() : key.apply(fallback);
        }
    }
}
