package dev.gpushare.common.annotation;

import dev.gpushare.common.device.ContainerDevice;
import dev.gpushare.common.device.PodAllocation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AllocationCodecTest {

    static final ContainerDevice A1 = new ContainerDevice("GPU-a1", "NVIDIA", 3000, 30);
    static final ContainerDevice B2 = new ContainerDevice("GPU-b2", "NVIDIA", 3000, 30);
    static final ContainerDevice A1_WHOLE = new ContainerDevice("GPU-a1", "NVIDIA", 15360, 100);
    static final ContainerDevice B2_WHOLE = new ContainerDevice("GPU-b2", "NVIDIA", 15360, 100);

    private static String v28(List<List<ContainerDevice>> containers) {
        return AllocationCodec.encode(AllocationEncoding.V2_8.layout(List.of(), containers));
    }

    @Test
    void encodesEverySpecExample() {
        assertThat(v28(List.of(List.of(A1)))).isEqualTo("GPU-a1,NVIDIA,3000,30:;");
        assertThat(v28(List.of(List.of(A1_WHOLE, B2_WHOLE))))
                .isEqualTo("GPU-a1,NVIDIA,15360,100:GPU-b2,NVIDIA,15360,100:;");
        assertThat(v28(List.of(List.of(A1), List.of()))).isEqualTo("GPU-a1,NVIDIA,3000,30:;;");
        assertThat(v28(List.of(List.of(), List.of(A1)))).isEqualTo(";GPU-a1,NVIDIA,3000,30:;");
        assertThat(v28(List.of(List.of(A1), List.of(), List.of(B2))))
                .isEqualTo("GPU-a1,NVIDIA,3000,30:;;GPU-b2,NVIDIA,3000,30:;");
    }

    @Test
    void decodesEverySpecExampleKeepingEmptySegments() throws Exception {
        assertThat(AllocationCodec.decode("GPU-a1,NVIDIA,3000,30:;").containers()).containsExactly(List.of(A1));
        assertThat(AllocationCodec.decode("GPU-a1,NVIDIA,15360,100:GPU-b2,NVIDIA,15360,100:;").containers())
                .containsExactly(List.of(A1_WHOLE, B2_WHOLE));
        assertThat(AllocationCodec.decode("GPU-a1,NVIDIA,3000,30:;;").containers())
                .containsExactly(List.of(A1), List.of());
        assertThat(AllocationCodec.decode(";GPU-a1,NVIDIA,3000,30:;").containers())
                .containsExactly(List.of(), List.of(A1));
        assertThat(AllocationCodec.decode("GPU-a1,NVIDIA,3000,30:;;GPU-b2,NVIDIA,3000,30:;").containers())
                .containsExactly(List.of(A1), List.of(), List.of(B2));
    }

    @Test
    void v29PutsInitContainersFirst() {
        PodAllocation layout = AllocationEncoding.V2_9.layout(List.of(List.of(B2), List.of()), List.of(List.of(A1)));

        assertThat(AllocationCodec.encode(layout)).isEqualTo("GPU-b2,NVIDIA,3000,30:;;GPU-a1,NVIDIA,3000,30:;");
    }

    @Test
    void v29WithoutGpuInitContainersStillHasTheirEmptySegments() {
        PodAllocation layout = AllocationEncoding.V2_9.layout(List.of(List.of()), List.of(List.of(A1)));

        assertThat(AllocationCodec.encode(layout)).isEqualTo(";GPU-a1,NVIDIA,3000,30:;");
    }

    @Test
    void v28IgnoresInitContainersWithoutDevicesAndRefusesThoseWithDevices() {
        assertThat(AllocationCodec.encode(AllocationEncoding.V2_8.layout(List.of(List.of()), List.of(List.of(A1)))))
                .isEqualTo("GPU-a1,NVIDIA,3000,30:;");
        assertThatThrownBy(() -> AllocationEncoding.V2_8.layout(List.of(List.of(B2)), List.of(List.of(A1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("init containers");
    }

    @Test
    void settingValuesNameTheEncodings() {
        assertThat(AllocationEncoding.fromValue("v2.8")).contains(AllocationEncoding.V2_8);
        assertThat(AllocationEncoding.fromValue("v2.9")).contains(AllocationEncoding.V2_9);
        assertThat(AllocationEncoding.fromValue("2.9")).isEmpty();
    }

    @Test
    void terminatorRules() throws Exception {
        assertThat(AllocationCodec.decode("").containers()).isEmpty();
        assertThat(AllocationCodec.decode(";").containers()).containsExactly(List.of());
        assertThat(AllocationCodec.decode(";;").containers()).containsExactly(List.of(), List.of());
        assertThat(AllocationCodec.decode("GPU-a1,NVIDIA,3000,30").containers()).containsExactly(List.of(A1));
        assertThat(AllocationCodec.encode(new PodAllocation(List.of()))).isEmpty();
    }

    @Test
    void isAsLenientAsHamiAboutPartsWithoutCommasAndExtraFields() throws Exception {
        assertThat(AllocationCodec.decode("::junk:GPU-a1,NVIDIA,3000,30,extra,fields:;").containers())
                .containsExactly(List.of(A1));
    }

    @Test
    void decodesWhatHamiWritesIncludingNegativeAndSignedNumbers() throws Exception {
        assertThat(AllocationCodec.decode("GPU-a1,NVIDIA,-2147483648,+5:;").containers())
                .containsExactly(List.of(new ContainerDevice("GPU-a1", "NVIDIA", Integer.MIN_VALUE, 5)));
    }

    @Test
    void decodesMigUuids() throws Exception {
        assertThat(AllocationCodec.decode("GPU-a1[1-2],NVIDIA,10240,14:;").devices())
                .containsExactly(new ContainerDevice("GPU-a1[1-2]", "NVIDIA", 10240, 14));
    }

    @Test
    void fewerThanFourFieldsIsATypedError() {
        assertThatThrownBy(() -> AllocationCodec.decode("GPU-a1,NVIDIA,3000:;"))
                .isInstanceOf(MalformedAnnotationException.class)
                .hasMessage("allocation segment 0, device 0: expected UUID,TYPE,USEDMEM,USEDCORES, got 3 fields"
                        + " in \"GPU-a1,NVIDIA,3000\"");
    }

    @Test
    void nonNumericNumbersAreTypedErrorsNamingTheField() {
        assertThatThrownBy(() -> AllocationCodec.decode(";GPU-a1,NVIDIA,3000,30:GPU-b2,NVIDIA,3k,30:;"))
                .isInstanceOf(MalformedAnnotationException.class)
                .hasMessage("allocation segment 1, device 1: USEDMEM: expected a decimal int32, got \"3k\"");
        assertThatThrownBy(() -> AllocationCodec.decode("GPU-a1,NVIDIA,3000,:;"))
                .hasMessageContaining("USEDCORES");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        ",NVIDIA,1,1:;",
        "GPU-a1,NVIDIA,2147483648,1:;",
        "GPU-a1,NVIDIA,1, 1:;",
        "GPU-a1,NVIDIA,\u0663,1:;",
        "GPU-a1[1-x],NVIDIA,1,1:;",
        "GPU-a1[1-2,NVIDIA,1,1:;",
        "GPU-a1],NVIDIA,1,1:;"
    })
    void rejectsValuesNoWriterProduces(String value) {
        assertThatThrownBy(() -> AllocationCodec.decode(value)).isInstanceOf(MalformedAnnotationException.class);
    }

    @Test
    void encodeRefusesSeparatorsInsideFields() {
        PodAllocation bad = new PodAllocation(List.of(List.of(new ContainerDevice("GPU;a1", "NVIDIA", 1, 1))));

        assertThatThrownBy(() -> AllocationCodec.encode(bad)).isInstanceOf(IllegalArgumentException.class);
    }
}
