package dev.gpushare.common;

import dev.gpushare.common.annotation.AllocationCodec;
import dev.gpushare.common.annotation.AllocationEncoding;
import dev.gpushare.common.annotation.GoTime;
import dev.gpushare.common.annotation.Handshake;
import dev.gpushare.common.annotation.MalformedAnnotationException;
import dev.gpushare.common.annotation.MigUuid;
import dev.gpushare.common.annotation.NodeRegisterCodec;
import dev.gpushare.common.annotation.NodeRegistration;
import dev.gpushare.common.annotation.RegisterFormat;
import dev.gpushare.common.device.ContainerDevice;
import dev.gpushare.common.device.DeviceInfo;
import dev.gpushare.common.device.PodAllocation;
import dev.gpushare.common.lock.NodeLockValue;
import dev.gpushare.testkit.Generators;
import dev.gpushare.testkit.PropertyCheck;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** decode(encode(x)) == x for every value our writers can produce, 1,000 tries each (see {@link PropertyCheck}). */
class CodecRoundTripPropertyTest {

    /** Go's {@code time.DateTime} layout in UTC, as HAMi's scheduler writes the node handshake. */
    private static final DateTimeFormatter GO_DATE_TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss")
            .withZone(ZoneOffset.UTC);

    private static final String ALPHA = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private static final String ALPHANUMERIC = ALPHA + "0123456789";
    /** Characters an encoder must escape, or that separate fields in some annotation. */
    private static final String SPECIAL = "<>&\"\\\u2028\u2029,:;[]\u0000\b\f\n\r\t\u001f\u007f";
    private static final long FIRST_SECOND = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
    private static final long LAST_SECOND = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();

    @Test
    void registerJsonRoundTrips() {
        AtomicInteger empty = new AtomicInteger();
        AtomicInteger escaped = new AtomicInteger();
        AtomicInteger supplementary = new AtomicInteger();
        AtomicInteger extremes = new AtomicInteger();
        PropertyCheck.forAll(CodecRoundTripPropertyTest::devices, devices -> {
            String encoded = NodeRegisterCodec.encode(devices);
            NodeRegistration decoded = mustDecode(() -> NodeRegisterCodec.decode(encoded));

            assertThat(decoded).isEqualTo(devices.isEmpty()
                    ? new NodeRegistration.NoGpuRegistered(RegisterFormat.JSON)
                    : new NodeRegistration.Registered(devices, RegisterFormat.JSON));
            count(empty, devices.isEmpty());
            count(escaped, devices.stream().anyMatch(d -> hasAnyOf(d.type() + d.mode() + d.id(), "<>&\"\\\u2028\n")));
            count(supplementary, devices.stream().anyMatch(d -> d.type().codePoints().anyMatch(c -> c > 0xFFFF)));
            count(extremes, devices.stream().anyMatch(d -> d.devmem() == Integer.MAX_VALUE
                    || d.numa() == Integer.MIN_VALUE));
        });
        assertThat(empty.get()).as("empty device lists").isGreaterThan(50);
        assertThat(escaped.get()).as("lists with characters Go escapes").isGreaterThan(300);
        assertThat(supplementary.get()).as("lists with a type outside the BMP").isGreaterThan(100);
        assertThat(extremes.get()).as("lists with an int32 bound").isGreaterThan(50);
    }

    @Test
    void v28AllocationRoundTrips() {
        AtomicInteger withInit = new AtomicInteger();
        AtomicInteger mig = new AtomicInteger();
        AtomicInteger emptySegments = new AtomicInteger();
        PropertyCheck.forAll(r -> new V28Sample(containers(r), Generators.intBetween(r, 0, 3)), s -> {
            PodAllocation layout = AllocationEncoding.V2_8.layout(
                    Collections.nCopies(s.initContainers(), List.of()), s.containers());

            assertThat(layout.containers()).hasSize(s.containers().size());
            String encoded = AllocationCodec.encode(layout);
            assertThat(mustDecode(() -> AllocationCodec.decode(encoded))).isEqualTo(layout);
            count(withInit, s.initContainers() > 0 && !layout.isEmpty());
            count(mig, layout.devices().stream().anyMatch(d -> d.uuid().endsWith("]")));
            count(emptySegments, layout.containers().stream().anyMatch(List::isEmpty) && !layout.isEmpty());
        });
        assertThat(withInit.get()).as("pods with init containers and devices").isGreaterThan(200);
        assertThat(mig.get()).as("allocations with a MIG UUID").isGreaterThan(200);
        assertThat(emptySegments.get()).as("allocations mixing empty and non-empty segments").isGreaterThan(100);
    }

    @Test
    void v29AllocationRoundTrips() {
        AtomicInteger initDevices = new AtomicInteger();
        PropertyCheck.forAll(r -> new V29Sample(containers(r), containers(r)), s -> {
            PodAllocation layout = AllocationEncoding.V2_9.layout(s.init(), s.containers());

            String encoded = AllocationCodec.encode(layout);
            PodAllocation decoded = mustDecode(() -> AllocationCodec.decode(encoded));

            assertThat(decoded).isEqualTo(layout);
            assertThat(decoded.containers().subList(0, s.init().size())).isEqualTo(s.init());
            count(initDevices, s.init().stream().anyMatch(c -> !c.isEmpty()) && !s.containers().isEmpty());
        });
        assertThat(initDevices.get()).as("init containers with devices before regular containers")
                .isGreaterThan(300);
    }

    @Test
    void nodeLockRoundTrips() {
        AtomicInteger bounds = new AtomicInteger();
        PropertyCheck.forAll(r -> new LockSample(seconds(r), name(r), name(r)), s -> {
            NodeLockValue lock = NodeLockValue.heldBy(s.time(), s.namespace(), s.name());

            assertThat(mustDecode(() -> NodeLockValue.parse(lock.format()))).isEqualTo(lock);
            String stamp = GoTime.formatRfc3339(s.time());
            assertThat(mustDecode(() -> NodeLockValue.parse(stamp)).time()).isEqualTo(s.time());
            count(bounds, isBound(s.time()));
        });
        assertThat(bounds.get()).as("times at year 0 or 9999").isGreaterThan(15);
    }

    @Test
    void handshakeTimesAreReadBackExactly() {
        AtomicInteger bounds = new AtomicInteger();
        PropertyCheck.forAll(CodecRoundTripPropertyTest::seconds, time -> {
            String goDateTime = GO_DATE_TIME.format(time);
            assertThat(mustDecode(() -> Handshake.parse("Deleted_" + goDateTime)))
                    .isEqualTo(new Handshake.Deleted(time));
            assertThat(mustDecode(() -> Handshake.parse("Requesting_" + goDateTime)))
                    .isEqualTo(new Handshake.Requesting(time));
            count(bounds, isBound(time));
        });
        assertThat(bounds.get()).as("times at year 0 or 9999").isGreaterThan(15);
    }

    record V28Sample(List<List<ContainerDevice>> containers, int initContainers) {
    }

    record V29Sample(List<List<ContainerDevice>> init, List<List<ContainerDevice>> containers) {
    }

    record LockSample(Instant time, String namespace, String name) {
    }

    /**
     * Text as annotation values carry it: UTF-8, so any code point but a lone surrogate, with the characters
     * encoders escape or split on, ASCII, and code points outside the BMP (surrogate pairs in Java) each drawn often.
     */
    private static String text(Random r, int maxLength) {
        return Generators.string(r, 0, maxLength, rr -> switch (rr.nextInt(4)) {
            case 0 -> Generators.codePointOf(rr, SPECIAL);
            case 1 -> Generators.codePointIn(rr, 0x00, 0x7F);
            case 2 -> Generators.codePointIn(rr, 0x10000, 0x10FFFF);
            default -> Generators.codePointIn(rr, 0x0000, 0xD7FF, 0xE000, 0xFFFF);
        });
    }

    /** A UUID: no annotation separator, but characters JSON must escape and non-ASCII ones. */
    private static String uuid(Random r) {
        return Generators.stringOf(r, 1, 40, ALPHANUMERIC + "-_.<>&\"\\ \u00e9\u4e2d\ud83d\ude00");
    }

    /** Up to 8 devices with distinct ids (a later duplicate id is dropped). */
    private static List<DeviceInfo> devices(Random r) {
        Map<String, DeviceInfo> byId = new LinkedHashMap<>();
        for (DeviceInfo d : Generators.listOf(r, 0, 8, CodecRoundTripPropertyTest::device)) {
            byId.putIfAbsent(d.id(), d);
        }
        return List.copyOf(byId.values());
    }

    private static DeviceInfo device(Random r) {
        String mode = r.nextBoolean() ? Generators.pick(r, "", "hami-core", "mig", "mps") : text(r, 10);
        return new DeviceInfo(uuid(r), natural(r), natural(r), natural(r), natural(r), text(r, 30),
                Generators.anyInt(r), mode, r.nextBoolean());
    }

    /** Up to 6 containers of up to 4 devices, MIG UUIDs among them. */
    private static List<List<ContainerDevice>> containers(Random r) {
        return Generators.listOf(r, 0, 6, rc -> Generators.listOf(rc, 0, 4, rd -> {
            String base = uuid(rd);
            String uuid = rd.nextBoolean() ? base : MigUuid.of(base, new MigUuid.MigSlot(
                    Generators.intBetween(rd, 0, 20), Generators.intBetween(rd, 0, 20))).format();
            String type = rd.nextBoolean() ? "NVIDIA" : Generators.stringOf(rd, 0, 8, ALPHA);
            return new ContainerDevice(uuid, type, Generators.anyInt(rd), Generators.anyInt(rd));
        }));
    }

    private static Instant seconds(Random r) {
        return Instant.ofEpochSecond(Generators.longBetween(r, FIRST_SECOND, LAST_SECOND));
    }

    /** A pod or namespace name. */
    private static String name(Random r) {
        return Generators.stringOf(r, 1, 63, ALPHANUMERIC + "-.");
    }

    private static int natural(Random r) {
        return Generators.intBetween(r, 0, Integer.MAX_VALUE);
    }

    private static boolean isBound(Instant time) {
        return time.getEpochSecond() == FIRST_SECOND || time.getEpochSecond() == LAST_SECOND;
    }

    private static boolean hasAnyOf(String text, String chars) {
        return text.chars().anyMatch(c -> chars.indexOf(c) >= 0);
    }

    private static void count(AtomicInteger counter, boolean condition) {
        if (condition) {
            counter.incrementAndGet();
        }
    }

    /** A decoder call; its checked error means our own encoding did not decode, which fails the property. */
    interface Decoding<T> {
        T run() throws MalformedAnnotationException;
    }

    private static <T> T mustDecode(Decoding<T> decoding) {
        try {
            return decoding.run();
        } catch (MalformedAnnotationException e) {
            throw new AssertionError("a value we encoded did not decode: " + e.getMessage(), e);
        }
    }
}
