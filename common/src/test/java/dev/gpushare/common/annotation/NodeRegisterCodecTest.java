package dev.gpushare.common.annotation;

import dev.gpushare.common.device.DeviceInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NodeRegisterCodecTest {

    /** Spec 2.2: the value a v2.8.3 device plugin writes for two Tesla T4. */
    static final String SPEC_EXAMPLE = "[{\"id\":\"GPU-a1\",\"count\":10,\"devmem\":15360,\"devcore\":100,"
            + "\"type\":\"NVIDIA-Tesla T4\",\"mode\":\"hami-core\",\"health\":true,\"devicepairscore\":{}},"
            + "{\"id\":\"GPU-b2\",\"index\":1,\"count\":10,\"devmem\":15360,\"devcore\":100,"
            + "\"type\":\"NVIDIA-Tesla T4\",\"numa\":1,\"mode\":\"hami-core\",\"health\":true,"
            + "\"devicepairscore\":{}}]";

    static final DeviceInfo T4_A = new DeviceInfo("GPU-a1", 0, 10, 15360, 100, "NVIDIA-Tesla T4", 0, "hami-core",
            true);
    static final DeviceInfo T4_B = new DeviceInfo("GPU-b2", 1, 10, 15360, 100, "NVIDIA-Tesla T4", 1, "hami-core",
            true);

    @Test
    void decodesTheSpecExampleInOrder() throws Exception {
        NodeRegistration registration = NodeRegisterCodec.decode(SPEC_EXAMPLE);

        assertThat(registration).isEqualTo(new NodeRegistration.Registered(List.of(T4_A, T4_B),
                RegisterFormat.JSON));
    }

    @Test
    void encodesByteForByteWhatTheDevicePluginWrites() {
        assertThat(NodeRegisterCodec.encode(List.of(T4_A, T4_B))).isEqualTo(SPEC_EXAMPLE);
    }

    @Test
    void omitsEveryZeroValueButAlwaysWritesThePairScore() {
        DeviceInfo bare = new DeviceInfo("GPU-z", 0, 0, 0, 0, "", 0, "", false);

        assertThat(NodeRegisterCodec.encode(List.of(bare))).isEqualTo("[{\"id\":\"GPU-z\",\"devicepairscore\":{}}]");
        assertThat(NodeRegisterCodec.encode(List.of())).isEqualTo("[]");
    }

    @Test
    void escapesStringsAsGoDoes() {
        DeviceInfo odd = new DeviceInfo("GPU-1", 0, 1, 1, 1, "A<B>&\"\\\n\t\b\f\u0001\u2028\u00e9", 0, "mig", false);

        assertThat(NodeRegisterCodec.encode(List.of(odd))).isEqualTo("[{\"id\":\"GPU-1\",\"count\":1,\"devmem\":1,"
                + "\"devcore\":1,\"type\":\"A\\u003cB\\u003e\\u0026\\\"\\\\\\n\\t\\b\\f\\u0001\\u2028\u00e9\","
                + "\"mode\":\"mig\",\"devicepairscore\":{}}]");
    }

    @Test
    void emptyArrayAndNullAreNoGpuNotAnError() throws Exception {
        assertThat(NodeRegisterCodec.decode("[]"))
                .isEqualTo(new NodeRegistration.NoGpuRegistered(RegisterFormat.JSON));
        assertThat(NodeRegisterCodec.decode("null"))
                .isEqualTo(new NodeRegistration.NoGpuRegistered(RegisterFormat.JSON));
    }

    @Test
    void ignoresUnknownKeysAndMatchesKeysCaseInsensitivelyLikeGo() throws Exception {
        String value = "[{\"ID\":\"GPU-a1\",\"Count\":4,\"devmem\":1000,\"devcore\":100,\"type\":\"T\","
                + "\"migtemplate\":[[{\"name\":\"1g.5gb\"}]],\"custominfo\":{\"x\":1},\"futureKey\":true,"
                + "\"numa\":null,\"devicepairscore\":{\"uuid\":\"GPU-b2\",\"score\":{\"GPU-b2\":1}}}]";

        assertThat(NodeRegisterCodec.decode(value)).isEqualTo(new NodeRegistration.Registered(
                List.of(new DeviceInfo("GPU-a1", 0, 4, 1000, 100, "T", 0, "", false)), RegisterFormat.JSON));
    }

    @Test
    void acceptsIntegralNumbersWrittenAsDecimals() throws Exception {
        NodeRegistration r = NodeRegisterCodec.decode("[{\"id\":\"g\",\"count\":10.0,\"devmem\":1.5e3}]");

        assertThat(((NodeRegistration.Registered) r).devices().get(0))
                .isEqualTo(new DeviceInfo("g", 0, 10, 1500, 0, "", 0, "", false));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "[{\"id\":\"g\",\"count\":\"10\"}]",
        "[{\"id\":\"g\",\"count\":10.5}]",
        "[{\"id\":\"g\",\"devmem\":2147483648}]",
        "[{\"id\":\"g\",\"devmem\":-1}]",
        "[{\"id\":\"g\",\"index\":-1}]",
        "[{\"id\":\"g\",\"health\":\"true\"}]",
        "[{\"id\":7}]",
        "[{\"count\":1}]",
        "[{\"id\":\"\"}]",
        "[{\"id\":\"g,1\"}]",
        "[{\"id\":\"g[1-2]\"}]",
        "[{\"id\":\"g\"},{\"id\":\"g\"}]",
        "[null]",
        "[1]",
        "{\"id\":\"g\"}",
        "[{\"id\":\"g\"}] trailing",
        "[{\"id\":\"g\"",
        "",
        "   "
    })
    void rejectsMalformedJson(String value) {
        assertThatThrownBy(() -> NodeRegisterCodec.decode(value)).isInstanceOf(MalformedAnnotationException.class)
                .hasMessageStartingWith("hami.io/node-nvidia-register");
    }

    @Test
    void errorNamesTheDeviceAndField() {
        assertThatThrownBy(() -> NodeRegisterCodec.decode("[{\"id\":\"a\"},{\"id\":\"b\",\"count\":\"x\"}]"))
                .hasMessage("hami.io/node-nvidia-register: device 1: count: expected an integer in [0, 2147483647],"
                        + " got \"x\"");
    }

    @Test
    void decodesLegacySevenFieldDevicesWithDefaults() throws Exception {
        NodeRegistration r = NodeRegisterCodec.decode(
                "GPU-a1,10,15360,100,NVIDIA-Tesla T4,0,true:GPU-b2,10,15360,100,NVIDIA-Tesla T4,1,false:");

        assertThat(r).isEqualTo(new NodeRegistration.Registered(List.of(
                new DeviceInfo("GPU-a1", 0, 10, 15360, 100, "NVIDIA-Tesla T4", 0, "hami-core", true),
                new DeviceInfo("GPU-b2", 0, 10, 15360, 100, "NVIDIA-Tesla T4", 1, "hami-core", false)),
                RegisterFormat.LEGACY));
    }

    @Test
    void decodesLegacyNineFieldDevices() throws Exception {
        NodeRegistration r = NodeRegisterCodec.decode("GPU-a1,7,40960,100,NVIDIA A100-SXM4-40GB,1,T,3,mig:");

        assertThat(r).isEqualTo(new NodeRegistration.Registered(List.of(
                new DeviceInfo("GPU-a1", 3, 7, 40960, 100, "NVIDIA A100-SXM4-40GB", 1, "mig", true)),
                RegisterFormat.LEGACY));
    }

    @Test
    void legacyValueWithoutDevicesIsNoGpu() throws Exception {
        assertThat(NodeRegisterCodec.decode(":"))
                .isEqualTo(new NodeRegistration.NoGpuRegistered(RegisterFormat.LEGACY));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "GPU-a1,10,15360,100,T4,0,true",
        "GPU-a1,10,15360,100,T4,0:",
        "GPU-a1,10,15360,100,T4,0,true,1:",
        "GPU-a1,10,15360,100,T4,0,true,1,mig,extra:",
        "GPU-a1,10,15360,100,T4,0,true:GPU-b2,10,15360:",
        "GPU-a1,ten,15360,100,T4,0,true:",
        "GPU-a1,10,15360,100,T4,0,yes:",
        "GPU-a1,10,99999999999,100,T4,0,true:",
        "GPU-a1,10,15360,100,T4,0,true,-1,mig:",
        ",10,15360,100,T4,0,true:"
    })
    void rejectsMalformedLegacyValuesWhole(String value) {
        assertThatThrownBy(() -> NodeRegisterCodec.decode(value)).isInstanceOf(MalformedAnnotationException.class);
    }

    @Test
    void legacyFieldCountErrorSaysWhatWasExpected() {
        assertThatThrownBy(() -> NodeRegisterCodec.decode("GPU-a1,10,15360,100,T4,0,true,1:"))
                .hasMessage("hami.io/node-nvidia-register: legacy device 0: expected 7 or 9 comma-separated fields,"
                        + " got 8 in \"GPU-a1,10,15360,100,T4,0,true,1\"");
        assertThatThrownBy(() -> NodeRegisterCodec.decode("GPU-a1"))
                .hasMessageContaining("neither a JSON array nor a legacy device list (no ':')");
    }

    @Test
    void encodeRefusesDevicesTheDecoderWouldReject() {
        assertThatThrownBy(() -> NodeRegisterCodec.encode(List.of(new DeviceInfo("", 0, 1, 1, 1, "", 0, "", true))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NodeRegisterCodec.encode(
                List.of(new DeviceInfo("a;b", 0, 1, 1, 1, "", 0, "", true))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void deeplyNestedJsonIsATypedError() {
        assertThatThrownBy(() -> NodeRegisterCodec.decode("[".repeat(100_000)))
                .isInstanceOf(MalformedAnnotationException.class);
        assertThatThrownBy(() -> PairScoreCodec.decode("[{\"uuid\":\"a\",\"x\":" + "[".repeat(100_000)))
                .isInstanceOf(MalformedAnnotationException.class);
    }
}
