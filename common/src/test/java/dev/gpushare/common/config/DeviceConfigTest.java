package dev.gpushare.common.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeviceConfigTest {

    static final List<String> CHART_MODELS = List.of("A30", "A100-SXM4-40GB", "A100-SXM4-80GB", "H100-PCIE-80GB",
            "H100-PCIE-94GB", "H20", "H200 NVL", "B200");

    @Test
    void defaultsAreTheChartValues() {
        NvidiaConfig n = DeviceConfig.defaults().nvidia();

        assertThat(n).usingRecursiveComparison().ignoringFields("knownMigGeometries").isEqualTo(new NvidiaConfig(
                "nvidia.com/gpu", "nvidia.com/gpumem", "nvidia.com/gpumem-percentage", "nvidia.com/gpucores",
                "nvidia.com/priority", false, 0, 0, 1, 1, "default", "", List.of(), List.of()));
        assertThat(n.knownMigGeometries()).extracting(r -> r.models().get(0)).containsExactlyElementsOf(CHART_MODELS);
    }

    @Test
    void defaultMigTablesCarryTheChartGeometries() {
        List<MigGeometryRule> rules = DeviceConfig.defaults().nvidia().knownMigGeometries();

        MigGeometryRule a30 = rules.get(0);
        assertThat(a30.allowedGeometries()).containsExactly(
                List.of(new MigTemplate("1g.6gb", 25, 6144, 4)),
                List.of(new MigTemplate("2g.12gb", 50, 12288, 2)),
                List.of(new MigTemplate("4g.24gb", 100, 24576, 1)));
        MigGeometryRule a100 = rules.get(1);
        assertThat(a100.models()).containsExactly("A100-SXM4-40GB", "A100-40GB-PCIe", "A100-PCIE-40GB");
        assertThat(a100.allowedGeometries().get(1)).containsExactly(new MigTemplate("1g.5gb", 14, 5120, 1),
                new MigTemplate("2g.10gb", 28, 10240, 3));
        assertThat(rules.get(2).allowedGeometries().get(3)).containsExactly(new MigTemplate("7g.79gb", 100, 80896, 1));
        assertThat(rules.get(5).models()).containsExactly("H20", "H100 on GH200");
        assertThat(rules.get(6).allowedGeometries().get(2)).containsExactly(new MigTemplate("3g.71gb", 42, 72704, 2));
        assertThat(rules.get(7).allowedGeometries().get(3))
                .containsExactly(new MigTemplate("7g.180gb", 100, 184320, 1));
        assertThat(rules).allSatisfy(r -> assertThat(r.allowedGeometries()).hasSizeBetween(3, 4));
    }

    @Test
    void defaultsKeepTheOtherVendorSections() {
        Map<String, Object> others = DeviceConfig.defaults().otherVendors();

        assertThat(others).containsOnlyKeys("cambricon", "hygon", "metax", "enflame", "mthreads", "iluvatars",
                "kunlun", "awsneuron", "amd", "vnpus");
        assertThat(others.get("hygon")).isEqualTo(Map.of("resourceCountName", "hygon.com/dcunum",
                "resourceMemoryName", "hygon.com/dcumem", "resourceCoreName", "hygon.com/dcucores",
                "memoryFactor", 1));
    }

    @Test
    void omittedKeysTakeTheChartValues() throws Exception {
        DeviceConfig config = DeviceConfig.parse("nvidia:\n  defaultMemory: 2048\n  resourceCountName: x.io/gpu\n");

        assertThat(config.nvidia().defaultMemory()).isEqualTo(2048);
        assertThat(config.nvidia().resourceCountName()).isEqualTo("x.io/gpu");
        assertThat(config.nvidia().resourceMemoryName()).isEqualTo("nvidia.com/gpumem");
        assertThat(config.nvidia().defaultGPUNum()).isEqualTo(1);
        assertThat(config.nvidia().knownMigGeometries())
                .isEqualTo(DeviceConfig.defaults().nvidia().knownMigGeometries());
        assertThat(config.otherVendors()).isEmpty();
    }

    @Test
    void emptyFileAndEmptySectionGiveTheDefaults() throws Exception {
        assertThat(DeviceConfig.parse("").nvidia()).isEqualTo(DeviceConfig.defaults().nvidia());
        assertThat(DeviceConfig.parse("nvidia:\n").nvidia()).isEqualTo(DeviceConfig.defaults().nvidia());
    }

    @Test
    void explicitMigTablesReplaceTheDefaults() throws Exception {
        DeviceConfig config = DeviceConfig.parse("""
                nvidia:
                  knownMigGeometries:
                  - models: ["A100X"]
                    allowedGeometries:
                    - - {name: 1g.5gb, core: 14, memory: 5120, count: 7}
                """);

        assertThat(config.nvidia().knownMigGeometries()).containsExactly(new MigGeometryRule(List.of("A100X"),
                List.of(List.of(new MigTemplate("1g.5gb", 14, 5120, 7)))));
        assertThat(DeviceConfig.parse("nvidia:\n  knownMigGeometries: []\n").nvidia().knownMigGeometries())
                .isEmpty();
    }

    @Test
    void readsAFullHamiFileIgnoringUnknownKeysAndKeepingOtherVendors() throws Exception {
        DeviceConfig config = DeviceConfig.parse("""
                nvidia:
                  resourceCountName: nvidia.com/gpu
                  resourceMemoryName: nvidia.com/gpumem
                  resourceMemoryPercentageName: nvidia.com/gpumem-percentage
                  resourceCoreName: nvidia.com/gpucores
                  resourcePriorityName: nvidia.com/priority
                  overwriteEnv: true
                  defaultMemory: 1000
                  defaultCores: 10
                  defaultGPUNum: 2
                  preConfiguredDeviceMemory: 0
                  memoryFactor: 3
                  deviceSplitCount: 10
                  deviceMemoryScaling: 1.5
                  gpuCorePolicy: force
                  libCudaLogLevel: 1
                  runtimeClassName: "nvidia"
                  someFutureKey: {a: 1}
                hygon:
                  resourceCountName: hygon.com/dcunum
                iluvatars:
                - chipName: MR-V100
                amd:
                futureVendor: [1, two, true, null]
                """);

        assertThat(config.nvidia()).usingRecursiveComparison().ignoringFields("knownMigGeometries").isEqualTo(
                new NvidiaConfig("nvidia.com/gpu", "nvidia.com/gpumem", "nvidia.com/gpumem-percentage",
                        "nvidia.com/gpucores", "nvidia.com/priority", true, 1000, 10, 2, 3, "force", "nvidia",
                        List.of(), List.of()));
        assertThat(config.otherVendors()).containsOnlyKeys("hygon", "iluvatars", "futureVendor");
        assertThat(config.otherVendors().get("iluvatars")).isEqualTo(List.of(Map.of("chipName", "MR-V100")));
        assertThat(config.otherVendors().get("futureVendor")).isEqualTo(java.util.Arrays.asList(1, "two", true, null));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "'nvidia:\n  defaultMemory: -1'|nvidia.defaultMemory: expected an integer in [0, 2147483647], got -1",
        "'nvidia:\n  defaultCores: 101'|nvidia.defaultCores: expected an integer in [0, 100], got 101",
        "'nvidia:\n  memoryFactor: 1.5'|nvidia.memoryFactor: expected an integer in [0, 2147483647], got 1.5",
        "'nvidia:\n  defaultGPUNum: \"1\"'|nvidia.defaultGPUNum: expected an integer in [0, 2147483647], got \"1\"",
        "'nvidia:\n  overwriteEnv: \"false\"'|nvidia.overwriteEnv: expected true or false, got \"false\"",
        "'nvidia:\n  gpuCorePolicy: forced'|nvidia.gpuCorePolicy: expected default, force or disable, got \"forced\"",
        "'nvidia:\n  resourceCountName: \"\"'|nvidia.resourceCountName: must name a resource",
        "'nvidia:\n  resourceCoreName: 5'|nvidia.resourceCoreName: expected a string, got NUMBER",
        "'nvidia: [1]'|nvidia: expected a mapping, got ARRAY",
        "'- nvidia'|device config: expected a mapping of vendor sections, got ARRAY",
        "'nvidia:\n  knownMigGeometries: {a: 1}'|nvidia.knownMigGeometries: expected a list, got OBJECT",
        "'nvidia:\n  knownMigGeometries:\n  - models: [A30]\n    allowedGeometries:\n"
                + "    - - {core: 1, memory: 1, count: 1}'"
                + "|nvidia.knownMigGeometries[0].allowedGeometries[0][0].name: missing",
        "'nvidia:\n  resourceMemoryName: \" \"'|nvidia.resourceMemoryName: must name a resource or be empty",
        "'nvidia:\n  migProfileAllowlist:\n  - models: [A30]'"
                + "|nvidia.migProfileAllowlist[0]: must list models and profiles",
        "'nvidia:\n  migProfileAllowlist:\n  - {models: [A30], profiles: [1g.6gb, 6gb]}'"
                + "|nvidia.migProfileAllowlist[0].profiles[1]: expected a MIG profile such as 1g.10gb, got \"6gb\"",
        "'nvidia:\n  migProfileAllowlist:\n  - {models: [A30], profiles: [x.6gb]}'"
                + "|nvidia.migProfileAllowlist[0].profiles[0]: expected a MIG profile such as 1g.10gb, got \"x.6gb\"",
        "'nvidia:\n  migProfileAllowlist: {a: 1}'|nvidia.migProfileAllowlist: expected a list, got OBJECT",
        "'nvidia:\n  knownMigGeometries:\n  - models: [A30]\n    allowedGeometries:\n"
                + "    - - {name: x, core: 1, memory: -1, count: 1}'"
                + "|nvidia.knownMigGeometries[0].allowedGeometries[0][0].memory: expected an integer in"
                + " [0, 2147483647], got -1"
    })
    void rejectsInvalidValuesNamingTheKey(String yaml, String message) {
        assertThatThrownBy(() -> DeviceConfig.parse(yaml)).isInstanceOf(DeviceConfigException.class)
                .hasMessage(message);
    }

    /** HAMi's own chart files, rendered with their default values (test resources {@code hami-chart/}). */
    @Test
    void hamiV283ChartConfigIsTheDefaults() throws Exception {
        DeviceConfig config = DeviceConfig.load(resource("hami-chart/v2.8.3-device-config.yaml"));

        assertThat(config.nvidia()).isEqualTo(DeviceConfig.defaults().nvidia());
        assertThat(config.otherVendors()).isEqualTo(DeviceConfig.defaults().otherVendors());
    }

    @Test
    void hamiV2100ChartConfigLoadsWithHamisMeaning() throws Exception {
        DeviceConfig config = DeviceConfig.load(resource("hami-chart/v2.10.0-device-config.yaml"));

        // Same nvidia values; v2.10 replaced knownMigGeometries by migProfileAllowlist, so the geometries are the
        // built-in ones, restricted by the allowlist. enableNumaTopology, libCudaLogLevel: plugin keys, ignored.
        assertThat(config.nvidia()).usingRecursiveComparison().ignoringFields("migProfileAllowlist")
                .isEqualTo(DeviceConfig.defaults().nvidia());
        assertThat(config.nvidia().migProfileAllowlist()).hasSize(9);
        assertThat(config.nvidia().migProfileAllowlist().get(0))
                .isEqualTo(new AllowedMigProfiles(List.of("A30"), List.of("1g.6gb", "2g.12gb", "4g.24gb")));
        assertThat(config.nvidia().migProfileAllowlist().get(8)).isEqualTo(new AllowedMigProfiles(
                List.of("RTX PRO 6000 Blackwell Server Edition"), List.of("1g.24gb", "2g.48gb", "4g.96gb")));
        assertThat(DeviceConfig.defaults().nvidia().migProfileAllowlist()).isEmpty();
        assertThat(config.otherVendors()).containsOnlyKeys("cambricon", "hygon", "metax", "enflame", "mthreads",
                "iluvatars", "kunlun", "awsneuron", "amd", "vastai", "biren", "vnpus");
        assertThat(config.otherVendors().get("enflame")).isEqualTo(Map.of("resourceNameGCU", "enflame.com/gcu",
                "resourceNameDRSGCU", "enflame.com/drs-gcu", "resourceNameGCUMemory", "enflame.com/gcu-memory",
                "resourceNameGCUCore", "enflame.com/gcu-core"));
    }

    @Test
    void migTemplatesWithoutCoreLoadWithCoreZero() throws Exception {
        DeviceConfig config = DeviceConfig.load(resource("hami-chart/without-mig-core-device-config.yaml"));

        List<MigGeometryRule> rules = config.nvidia().knownMigGeometries();
        assertThat(rules).containsExactly(
                new MigGeometryRule(List.of("A30"), List.of(
                        List.of(new MigTemplate("1g.6gb", 0, 6144, 4)),
                        List.of(new MigTemplate("2g.12gb", 0, 12288, 2)),
                        List.of(new MigTemplate("4g.24gb", 0, 24576, 1)))),
                new MigGeometryRule(List.of("A100-SXM4-40GB", "A100-40GB-PCIe", "A100-PCIE-40GB"), List.of(
                        List.of(new MigTemplate("1g.5gb", 0, 5120, 7)),
                        List.of(new MigTemplate("1g.5gb", 0, 5120, 1), new MigTemplate("2g.10gb", 0, 10240, 3)),
                        List.of(new MigTemplate("3g.20gb", 0, 20480, 2)),
                        List.of(new MigTemplate("7g.40gb", 0, 40960, 1)))));
        assertThat(config.nvidia().resourceCountName()).isEqualTo("nvidia.com/gpu");
    }

    @Test
    void absentMigNumbersAreZeroAsInGo() throws Exception {
        DeviceConfig config = DeviceConfig.parse("nvidia:\n  knownMigGeometries:\n  - models: [A30]\n"
                + "    allowedGeometries:\n    - - {name: 1g.6gb}\n");

        assertThat(config.nvidia().knownMigGeometries().get(0).allowedGeometries())
                .containsExactly(List.of(new MigTemplate("1g.6gb", 0, 0, 0)));
    }

    @Test
    void emptyResourceNamesMeanTheResourceIsNotUsed() throws Exception {
        NvidiaConfig n = DeviceConfig.parse("nvidia:\n  resourceMemoryName: \"\"\n  resourceMemoryPercentageName: \"\"\n"
                + "  resourceCoreName: \"\"\n  resourcePriorityName: \"\"\n").nvidia();

        assertThat(List.of(n.resourceMemoryName(), n.resourceMemoryPercentageName(), n.resourceCoreName(),
                n.resourcePriorityName())).containsOnly("");
        assertThat(n.resourceCountName()).isEqualTo("nvidia.com/gpu");
    }

    private static Path resource(String name) throws Exception {
        return Path.of(DeviceConfigTest.class.getClassLoader().getResource(name).toURI());
    }

    @Test
    void syntaxErrorsAreTyped() {
        assertThatThrownBy(() -> DeviceConfig.parse("nvidia: {defaultMemory: [")).isInstanceOf(
                DeviceConfigException.class).hasMessageStartingWith("device config is not valid YAML");
    }

    @Test
    void loadsAFileAndNamesItInErrors(@TempDir Path dir) throws Exception {
        Path good = Files.writeString(dir.resolve("device-config.yaml"), "nvidia:\n  defaultCores: 20\n");
        Path bad = Files.writeString(dir.resolve("bad.yaml"), "nvidia:\n  defaultCores: 200\n");

        assertThat(DeviceConfig.load(good).nvidia().defaultCores()).isEqualTo(20);
        assertThatThrownBy(() -> DeviceConfig.load(bad)).hasMessage(bad + ": nvidia.defaultCores: expected an"
                + " integer in [0, 100], got 200");
        assertThatThrownBy(() -> DeviceConfig.load(dir.resolve("missing.yaml")))
                .isInstanceOf(DeviceConfigException.class).hasMessageStartingWith("cannot read device config");
    }

    @Test
    void deeplyNestedInputIsATypedError() {
        assertThatThrownBy(() -> DeviceConfig.parse("nvidia: " + "[".repeat(100_000)))
                .isInstanceOf(DeviceConfigException.class);
        StringBuilder indented = new StringBuilder();
        for (int depth = 0; depth < 1_500; depth++) {
            indented.append(" ".repeat(depth)).append("k:\n");
        }
        assertThatThrownBy(() -> DeviceConfig.parse(indented.toString())).isInstanceOf(DeviceConfigException.class);
    }
}
