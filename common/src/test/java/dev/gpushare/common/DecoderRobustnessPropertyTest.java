package dev.gpushare.common;

import dev.gpushare.common.annotation.AllocationCodec;
import dev.gpushare.common.annotation.Handshake;
import dev.gpushare.common.annotation.MalformedAnnotationException;
import dev.gpushare.common.annotation.MigUuid;
import dev.gpushare.common.annotation.NodeRegisterCodec;
import dev.gpushare.common.annotation.PairScoreCodec;
import dev.gpushare.common.config.DeviceConfig;
import dev.gpushare.common.config.DeviceConfigException;
import dev.gpushare.common.lock.NodeLockValue;
import dev.gpushare.common.request.InvalidRequestException;
import dev.gpushare.common.request.PodRequestParser;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Untrusted input never escapes a decoder as an unchecked exception: every random or damaged value gives a value
 * or the decoder's typed error. A {@link RuntimeException} fails the property.
 */
class DecoderRobustnessPropertyTest {

    static final List<String> ANNOTATION_SAMPLES = List.of(
            "[{\"id\":\"GPU-a1\",\"count\":10,\"devmem\":15360,\"devcore\":100,\"type\":\"NVIDIA-Tesla T4\","
                    + "\"mode\":\"hami-core\",\"health\":true,\"devicepairscore\":{}},{\"id\":\"GPU-b2\",\"index\":1,"
                    + "\"count\":10,\"devmem\":15360,\"devcore\":100,\"type\":\"NVIDIA-Tesla T4\",\"numa\":1,"
                    + "\"mode\":\"hami-core\",\"health\":true,\"devicepairscore\":{}}]",
            "GPU-a1,10,15360,100,NVIDIA-Tesla T4,0,true:GPU-b2,10,15360,100,NVIDIA-Tesla T4,1,false,1,mig:",
            "[{\"uuid\":\"GPU-a1\",\"score\":{\"GPU-b2\":100,\"GPU-c3\":20}}]",
            "GPU-a1,NVIDIA,3000,30:;;GPU-b2[1-2],NVIDIA,3000,30:;",
            "2026-05-19T08:33:25Z,default,train-0",
            "2026-05-19T08:33:25.123+08:00",
            "Requesting_2026-05-19 08:33:25",
            "Deleted_2026-05-19 08:33:25");

    static final String DEFAULT_YAML = resource("/dev/gpushare/common/config/default-device-config.yaml");

    @Property(tries = 1000)
    void randomTextGivesAValueOrATypedError(@ForAll("noise") String value) {
        decodeEverything(value);
    }

    @Property(tries = 1000)
    void damagedAnnotationsGiveAValueOrATypedError(@ForAll("damagedAnnotations") String value) {
        decodeEverything(value);
    }

    @Property(tries = 1000)
    void damagedDeviceConfigsGiveAConfigOrATypedError(@ForAll("damagedYaml") String yaml) {
        try {
            DeviceConfig.parse(yaml);
        } catch (DeviceConfigException expected) {
            // A typed error is a correct answer.
        }
    }

    @Property(tries = 1000)
    void anyQuantityGivesARequestOrATypedError(@ForAll("quantities") String gpu, @ForAll("quantities") String mem,
                                               @ForAll("quantities") String cores) {
        Pod pod = new PodBuilder().withNewSpec().withContainers(new ContainerBuilder().withName("c")
                .withNewResources().withLimits(Map.of("nvidia.com/gpu", new Quantity(gpu, null),
                        "nvidia.com/gpumem", new Quantity(mem, null), "nvidia.com/gpucores", new Quantity(cores, null)))
                .endResources().build()).endSpec().build();
        try {
            new PodRequestParser(DeviceConfig.defaults()).parse(pod);
        } catch (InvalidRequestException expected) {
            // A typed error is a correct answer.
        }
    }

    private static void decodeEverything(String value) {
        typedOrValue(() -> NodeRegisterCodec.decode(value));
        typedOrValue(() -> PairScoreCodec.decode(value));
        typedOrValue(() -> AllocationCodec.decode(value));
        typedOrValue(() -> MigUuid.parse(value));
        typedOrValue(() -> NodeLockValue.parse(value));
        typedOrValue(() -> Handshake.parse(value));
    }

    interface Decoder {
        Object decode() throws MalformedAnnotationException;
    }

    private static void typedOrValue(Decoder decoder) {
        try {
            decoder.decode();
        } catch (MalformedAnnotationException expected) {
            // A typed error is a correct answer.
        }
    }

    @Provide
    Arbitrary<String> noise() {
        return Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(300),
                Arbitraries.strings().withChars("[]{}\",:;.-+eE0123456789 _tTfnulGPU-ab\\\n").ofMaxLength(120),
                Arbitraries.strings().withChars("0123456789-T:Z+.,_ ").ofMaxLength(40));
    }

    /** Valid values truncated, with a slice cut out, or with one character replaced. */
    @Provide
    Arbitrary<String> damagedAnnotations() {
        return damaged(Arbitraries.of(ANNOTATION_SAMPLES));
    }

    @Provide
    Arbitrary<String> damagedYaml() {
        return Arbitraries.oneOf(damaged(Arbitraries.just(DEFAULT_YAML)),
                Arbitraries.strings().withChars("nvidia:{}[]- \n\"'&*!%#|>?,0123456789abc").ofMaxLength(200));
    }

    @Provide
    Arbitrary<String> quantities() {
        return Arbitraries.oneOf(
                Arbitraries.of("1", "3k", "3e3", "1Gi", "1.5", "500m", "-1", "1e999999999", "1e-999999999",
                        ".5", "5.", "+1", "0", "101", "1E", "1Ei", "2147483648", ""),
                Arbitraries.strings().withChars("0123456789.+-eEmkMGTPi ").ofMaxLength(20));
    }

    private static Arbitrary<String> damaged(Arbitrary<String> samples) {
        return samples.flatMap(sample -> {
            Arbitrary<Integer> position = Arbitraries.integers().between(0, sample.length());
            Arbitrary<String> truncated = position.map(p -> sample.substring(0, p));
            Arbitrary<String> cut = Combinators.combine(position, position)
                    .as((a, b) -> sample.substring(0, Math.min(a, b)) + sample.substring(Math.max(a, b)));
            Arbitrary<String> replaced = Combinators.combine(Arbitraries.integers().between(0, sample.length() - 1),
                            Arbitraries.chars().with("[]{}\",:;-0123456789aZ\n\u0000\u00ff"))
                    .as((p, c) -> sample.substring(0, p) + c + sample.substring(p + 1));
            return Arbitraries.oneOf(truncated, cut, replaced);
        });
    }

    private static String resource(String name) {
        try (InputStream in = DecoderRobustnessPropertyTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
