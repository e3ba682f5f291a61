package dev.gpushare.common.annotation;

import dev.gpushare.common.device.ContainerDevice;
import dev.gpushare.common.device.PodAllocation;

import java.util.ArrayList;
import java.util.List;

/**
 * Codec of {@link HamiKeys#DEVICES_TO_ALLOCATE} and {@link HamiKeys#DEVICES_ALLOCATED} (spec section 2.3):
 * {@code value := { container ";" }}, {@code container := { device ":" }},
 * {@code device := UUID "," TYPE "," USEDMEM "," USEDCORES}. Which container a segment stands for is decided by
 * {@link AllocationEncoding#layout}.
 *
 * <p>Decoding rules (at least as lenient as HAMi where a HAMi writer is involved, typed errors elsewhere):
 * <ul>
 *   <li>Segments are kept, empty ones too, so positions still map to containers (HAMi v2.8 drops empty ones).
 *       The {@code ;} after the last segment is a terminator: {@code ""} has no segment, {@code ";"} one empty
 *       segment, {@code ";;"} two; a last segment without its {@code ;} is still read.</li>
 *   <li>Within a segment a part is a device only if it contains {@code ,}; other parts (empty ones, stray text)
 *       are skipped, as HAMi does.</li>
 *   <li>A device with fewer than 4 fields is an error; fields after the fourth are ignored, as HAMi does.</li>
 *   <li>USEDMEM and USEDCORES must be decimal int32 (optional sign, ASCII digits); anything else is an error
 *       naming the field, where HAMi silently reads 0. HAMi's writer only ever writes Go-formatted int32s, which
 *       all decode (negative ones too, as written).</li>
 *   <li>An empty UUID, or a UUID with a malformed MIG suffix ({@link MigUuid#parse}), is an error.</li>
 * </ul>
 */
public final class AllocationCodec {

    private AllocationCodec() {
    }

    /**
     * The annotation value for these segments, in order.
     *
     * @throws IllegalArgumentException for a device whose UUID or type would corrupt the encoding
     */
    public static String encode(PodAllocation allocation) {
        StringBuilder out = new StringBuilder();
        for (List<ContainerDevice> segment : allocation.containers()) {
            for (ContainerDevice d : segment) {
                requireEncodable(d);
                out.append(d.uuid()).append(',').append(d.type()).append(',')
                        .append(d.usedmem()).append(',').append(d.usedcores()).append(':');
            }
            out.append(';');
        }
        return out.toString();
    }

    public static PodAllocation decode(String value) throws MalformedAnnotationException {
        String[] segments = value.split(";", -1);
        // The last element is what follows the final terminator: empty for every value we or HAMi write.
        int count = segments[segments.length - 1].isEmpty() ? segments.length - 1 : segments.length;
        List<List<ContainerDevice>> containers = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            containers.add(decodeSegment(segments[i], i));
        }
        return new PodAllocation(containers);
    }

    private static List<ContainerDevice> decodeSegment(String segment, int index)
            throws MalformedAnnotationException {
        List<ContainerDevice> devices = new ArrayList<>();
        for (String part : segment.split(":", -1)) {
            if (part.indexOf(',') < 0) {
                continue;
            }
            String where = "allocation segment " + index + ", device " + devices.size();
            String[] f = part.split(",", -1);
            if (f.length < 4) {
                throw new MalformedAnnotationException(where + ": expected UUID,TYPE,USEDMEM,USEDCORES, got "
                        + f.length + " fields in " + Excerpt.of(part));
            }
            if (f[0].isEmpty()) {
                throw new MalformedAnnotationException(where + ": empty UUID in " + Excerpt.of(part));
            }
            MigUuid.parse(f[0]);
            devices.add(new ContainerDevice(f[0], f[1], number(f[2], where + ": USEDMEM"),
                    number(f[3], where + ": USEDCORES")));
        }
        return devices;
    }

    private static int number(String text, String field) throws MalformedAnnotationException {
        Integer value = DecimalInt.parse(text);
        if (value == null) {
            throw new MalformedAnnotationException(field + ": expected a decimal int32, got " + Excerpt.of(text));
        }
        return value;
    }

    private static void requireEncodable(ContainerDevice d) {
        if (d.uuid().isEmpty() || containsSeparator(d.uuid()) || containsSeparator(d.type())) {
            throw new IllegalArgumentException("device " + d + " cannot be encoded: empty UUID, or ',', ':' or ';'"
                    + " in UUID or type");
        }
        try {
            MigUuid.parse(d.uuid());
        } catch (MalformedAnnotationException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static boolean containsSeparator(String s) {
        return s.indexOf(',') >= 0 || s.indexOf(':') >= 0 || s.indexOf(';') >= 0;
    }
}
