package dev.gpushare.common;

import dev.gpushare.common.annotation.AllocationCodec;
import dev.gpushare.common.annotation.AllocationEncoding;
import dev.gpushare.common.annotation.GoTime;
import dev.gpushare.common.annotation.Handshake;
import dev.gpushare.common.annotation.MigUuid;
import dev.gpushare.common.annotation.NodeRegisterCodec;
import dev.gpushare.common.annotation.NodeRegistration;
import dev.gpushare.common.annotation.RegisterFormat;
import dev.gpushare.common.device.ContainerDevice;
import dev.gpushare.common.device.DeviceInfo;
import dev.gpushare.common.device.PodAllocation;
import dev.gpushare.common.lock.NodeLockValue;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.time.Instant;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** decode(encode(x)) == x for every value our writers can produce. */
class CodecRoundTripPropertyTest {

    @Property(tries = 1000)
    void registerJsonRoundTrips(@ForAll("devices") List<DeviceInfo> devices) throws Exception {
        NodeRegistration decoded = NodeRegisterCodec.decode(NodeRegisterCodec.encode(devices));

        assertThat(decoded).isEqualTo(devices.isEmpty() ? new NodeRegistration.NoGpuRegistered(RegisterFormat.JSON)
                : new NodeRegistration.Registered(devices, RegisterFormat.JSON));
    }

    @Property(tries = 1000)
    void v28AllocationRoundTrips(@ForAll("containers") List<List<ContainerDevice>> containers,
                                 @ForAll("initCount") int initContainers) throws Exception {
        List<List<ContainerDevice>> init = Collections.nCopies(initContainers, List.of());
        PodAllocation layout = AllocationEncoding.V2_8.layout(init, containers);

        assertThat(layout.containers()).hasSize(containers.size());
        assertThat(AllocationCodec.decode(AllocationCodec.encode(layout))).isEqualTo(layout);
    }

    @Property(tries = 1000)
    void v29AllocationRoundTrips(@ForAll("containers") List<List<ContainerDevice>> init,
                                 @ForAll("containers") List<List<ContainerDevice>> containers) throws Exception {
        PodAllocation layout = AllocationEncoding.V2_9.layout(init, containers);

        PodAllocation decoded = AllocationCodec.decode(AllocationCodec.encode(layout));

        assertThat(decoded).isEqualTo(layout);
        assertThat(decoded.containers().subList(0, init.size())).isEqualTo(init);
    }

    @Property(tries = 1000)
    void nodeLockRoundTrips(@ForAll("seconds") Instant time, @ForAll("names") String namespace,
                            @ForAll("names") String name) throws Exception {
        NodeLockValue lock = NodeLockValue.heldBy(time, namespace, name);

        assertThat(NodeLockValue.parse(lock.format())).isEqualTo(lock);
        assertThat(NodeLockValue.parse(GoTime.formatRfc3339(time)).time()).isEqualTo(time);
    }

    @Property(tries = 1000)
    void handshakeRoundTrips(@ForAll("seconds") Instant time) throws Exception {
        assertThat(Handshake.parse(new Handshake.Deleted(time).format())).isEqualTo(new Handshake.Deleted(time));
        assertThat(Handshake.parse(new Handshake.Requesting(time).format()))
                .isEqualTo(new Handshake.Requesting(time));
    }

    /** Text without surrogates: annotation values are UTF-8, lone surrogates cannot travel. */
    static Arbitrary<String> text(int maxLength) {
        return Arbitraries.strings().withCharRange('\u0000', '\uD7FF').withCharRange('\uE000', '\uFFFD')
                .withChars("<>&\"\\\u2028,:;[]").ofMaxLength(maxLength);
    }

    /** Characters allowed in a UUID (no annotation separators). */
    static Arbitrary<String> uuid() {
        return Arbitraries.strings().alpha().numeric().withChars("-_.<>&\"\\ \u00e9\u4e2d").ofMinLength(1)
                .ofMaxLength(40);
    }

    @Provide
    Arbitrary<List<DeviceInfo>> devices() {
        Arbitrary<DeviceInfo> device = Combinators.combine(uuid(), Arbitraries.integers().greaterOrEqual(0),
                        Arbitraries.integers().greaterOrEqual(0), Arbitraries.integers().greaterOrEqual(0),
                        Arbitraries.integers().greaterOrEqual(0), text(30), Arbitraries.integers(),
                        Combinators.combine(Arbitraries.oneOf(Arbitraries.of("", "hami-core", "mig", "mps"), text(10)),
                                Arbitraries.of(true, false)).as(ModeHealth::new))
                .as((id, index, count, devmem, devcore, type, numa, mh) ->
                        new DeviceInfo(id, index, count, devmem, devcore, type, numa, mh.mode(), mh.health()));
        return device.list().ofMaxSize(8).uniqueElements(DeviceInfo::id);
    }

    record ModeHealth(String mode, boolean health) {
    }

    @Provide
    Arbitrary<List<List<ContainerDevice>>> containers() {
        Arbitrary<String> uuid = Combinators.combine(uuid(), Arbitraries.integers().between(0, 20),
                        Arbitraries.integers().between(0, 20), Arbitraries.of(true, false))
                .as((base, g, s, mig) -> mig ? MigUuid.of(base, new MigUuid.MigSlot(g, s)).format() : base);
        Arbitrary<String> type = Arbitraries.oneOf(Arbitraries.just("NVIDIA"),
                Arbitraries.strings().alpha().ofMaxLength(8));
        Arbitrary<ContainerDevice> device = Combinators.combine(uuid, type, Arbitraries.integers(),
                Arbitraries.integers()).as(ContainerDevice::new);
        return device.list().ofMaxSize(4).list().ofMaxSize(6);
    }

    @Provide
    Arbitrary<Integer> initCount() {
        return Arbitraries.integers().between(0, 3);
    }

    @Provide
    Arbitrary<Instant> seconds() {
        return Arbitraries.longs().between(Instant.parse("0000-01-01T00:00:00Z").getEpochSecond(),
                Instant.parse("9999-12-31T23:59:59Z").getEpochSecond()).map(Instant::ofEpochSecond);
    }

    @Provide
    Arbitrary<String> names() {
        return Arbitraries.strings().alpha().numeric().withChars("-.").ofMinLength(1).ofMaxLength(63);
    }
}
