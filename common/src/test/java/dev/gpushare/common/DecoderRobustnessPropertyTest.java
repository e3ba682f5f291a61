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
import dev.gpushare.testkit.Generators;
import dev.gpushare.testkit.PropertyCheck;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Untrusted input never escapes a decoder as an unchecked exception: every random or damaged value gives a value
 * or the decoder's typed error, 1,000 tries each (see {@link PropertyCheck}). A {@link RuntimeException} fails the
 * property; each property also checks that its inputs drew both answers, so it cannot pass on trivial input.
 */
class DecoderRobustnessPropertyTest {

    private static final List<String> ANNOTATION_SAMPLES = List.of(
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

    private static final String DEFAULT_YAML = resource("/dev/gpushare/common/config/default-device-config.yaml");

    private static final String JSONISH = "[]{}\",:;.-+eE0123456789 _tTfnulGPU-ab\\\n";
    private static final String TIMEISH = "0123456789-T:Z+.,_ ";
    /** Starts that lead each decoder past its first check into its deeper branches. */
    private static final List<String> PREFIXES = List.of("Requesting_", "Deleted_", "Reported", "[", "{", "null",
            "GPU-a1,", "GPU-a1[", "2026-05-19T08:33:25", "2026-05-19 08:33:25");
    /** Ends that close what a start opened (MIG suffixes, JSON). */
    private static final List<String> SUFFIXES = List.of("", "]", "-]", "-0]", "1-2]", "}", "}]", ":", ";");
    private static final String REPLACEMENTS = "[]{}\",:;-0123456789aZ\n\u0000\u00ff";
    private static final String YAMLISH = "nvidia:{}[]- \n\"'&*!%#|>?,0123456789abc";
    private static final List<String> QUANTITIES = List.of("1", "3k", "3e3", "1Gi", "1.5", "500m", "-1",
            "1e999999999", "1e-999999999", ".5", "5.", "+1", "0", "101", "1E", "1Ei", "2147483648", "");
    private static final String QUANTITYISH = "0123456789.+-eEmkMGTPi ";

    @Test
    void randomTextGivesAValueOrATypedError() {
        Answers answers = new Answers();
        PropertyCheck.forAll(DecoderRobustnessPropertyTest::noise, value -> decodeEverything(value, answers));
        answers.assertBothAbove(1_000);
    }

    @Test
    void damagedAnnotationsGiveAValueOrATypedError() {
        Answers answers = new Answers();
        PropertyCheck.forAll(r -> damaged(r, Generators.pick(r, ANNOTATION_SAMPLES)),
                value -> decodeEverything(value, answers));
        answers.assertBothAbove(1_000);
    }

    @Test
    void damagedDeviceConfigsGiveAConfigOrATypedError() {
        Answers answers = new Answers();
        PropertyCheck.forAll(DecoderRobustnessPropertyTest::damagedYaml, yaml -> {
            try {
                DeviceConfig.parse(yaml);
                answers.values.incrementAndGet();
            } catch (DeviceConfigException expected) {
                answers.errors.incrementAndGet();
            }
        });
        answers.assertBothAbove(50);
    }

    @Test
    void anyQuantityGivesARequestOrATypedError() {
        Answers answers = new Answers();
        PropertyCheck.forAll(DecoderRobustnessPropertyTest::limits, limits -> {
            Pod pod = new PodBuilder().withNewSpec().withContainers(new ContainerBuilder().withName("c")
                    .withNewResources().withLimits(limits).endResources().build()).endSpec().build();
            try {
                new PodRequestParser(DeviceConfig.defaults()).parse(pod);
                answers.values.incrementAndGet();
            } catch (InvalidRequestException expected) {
                answers.errors.incrementAndGet();
            }
        });
        answers.assertBothAbove(50);
    }

    /** How often the decoders answered with a value and with their typed error. */
    static final class Answers {
        final AtomicInteger values = new AtomicInteger();
        final AtomicInteger errors = new AtomicInteger();

        void assertBothAbove(int least) {
            assertThat(values.get()).as("inputs decoded to a value").isGreaterThan(least);
            assertThat(errors.get()).as("inputs refused with a typed error").isGreaterThan(least);
        }
    }

    private static void decodeEverything(String value, Answers answers) {
        typedOrValue(() -> NodeRegisterCodec.decode(value), answers);
        typedOrValue(() -> PairScoreCodec.decode(value), answers);
        typedOrValue(() -> AllocationCodec.decode(value), answers);
        typedOrValue(() -> MigUuid.parse(value), answers);
        typedOrValue(() -> NodeLockValue.parse(value), answers);
        typedOrValue(() -> Handshake.parse(value), answers);
    }

    interface Decoder {
        Object decode() throws MalformedAnnotationException;
    }

    private static void typedOrValue(Decoder decoder, Answers answers) {
        try {
            decoder.decode();
            answers.values.incrementAndGet();
        } catch (MalformedAnnotationException expected) {
            answers.errors.incrementAndGet();
        }
    }

    /**
     * Any text (ASCII, the whole BMP, lone surrogates, code points outside the BMP), JSON-like and time-like text,
     * and such text between a start that each decoder recognises and an end that closes it.
     */
    private static String noise(Random r) {
        return switch (r.nextInt(4)) {
            case 0 -> Generators.string(r, 0, 300, rr -> switch (rr.nextInt(4)) {
                case 0 -> Generators.codePointIn(rr, 0x00, 0x7F);
                case 1 -> Generators.codePointIn(rr, 0xD800, 0xDFFF);
                case 2 -> Generators.codePointIn(rr, 0x10000, 0x10FFFF);
                default -> Generators.codePointIn(rr, 0x0000, 0xFFFF);
            });
            case 1 -> Generators.stringOf(r, 0, 120, JSONISH);
            case 2 -> Generators.stringOf(r, 0, 40, TIMEISH);
            default -> Generators.pick(r, PREFIXES)
                    + Generators.stringOf(r, 0, 40, r.nextBoolean() ? JSONISH : TIMEISH)
                    + Generators.pick(r, SUFFIXES);
        };
    }

    /** A valid value truncated (to nothing up to whole), with a slice cut out, or with one character replaced. */
    private static String damaged(Random r, String sample) {
        return switch (r.nextInt(3)) {
            case 0 -> sample.substring(0, Generators.intBetween(r, 0, sample.length()));
            case 1 -> {
                int a = Generators.intBetween(r, 0, sample.length());
                int b = Generators.intBetween(r, 0, sample.length());
                yield sample.substring(0, Math.min(a, b)) + sample.substring(Math.max(a, b));
            }
            default -> {
                int p = Generators.intBetween(r, 0, sample.length() - 1);
                yield sample.substring(0, p) + (char) Generators.codePointOf(r, REPLACEMENTS) + sample.substring(p + 1);
            }
        };
    }

    private static String damagedYaml(Random r) {
        return r.nextBoolean() ? damaged(r, DEFAULT_YAML) : Generators.stringOf(r, 0, 200, YAMLISH);
    }

    /**
     * Limits of the three GPU resources, each absent a quarter of the time, else a tricky spelling, random
     * quantity-like text or a plain whole number, so that whole pods parse often enough too.
     */
    private static Map<String, Quantity> limits(Random r) {
        Map<String, Quantity> limits = new TreeMap<>();
        for (String resource : List.of("nvidia.com/gpu", "nvidia.com/gpumem", "nvidia.com/gpucores")) {
            if (r.nextInt(4) > 0) {
                String amount = switch (r.nextInt(3)) {
                    case 0 -> Generators.pick(r, QUANTITIES);
                    case 1 -> Generators.stringOf(r, 0, 20, QUANTITYISH);
                    default -> Integer.toString(Generators.intBetween(r, 0, 100));
                };
                limits.put(resource, new Quantity(amount, null));
            }
        }
        return limits;
    }

    private static String resource(String name) {
        try (InputStream in = DecoderRobustnessPropertyTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
