package dev.gpushare.common.annotation;

import java.util.Objects;
import java.util.Optional;

/**
 * A UUID of the allocation annotation split into the physical GPU's UUID and, for a MIG allocation, the suffix
 * {@code [<geometry>-<slot>]} (e.g. {@code GPU-a1[1-2]}: geometry 1 of the GPU's allowed geometries, MIG slot 2).
 *
 * @param base the physical GPU's UUID, as registered by the device plugin
 * @param mig  the MIG instance, empty for a whole or shared GPU
 */
public record MigUuid(String base, Optional<MigSlot> mig) {

    public MigUuid {
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(mig, "mig");
    }

    /** A MIG instance: index of the geometry in the GPU's allowed geometries, and the instance slot in it. */
    public record MigSlot(int geometry, int slot) {
        public MigSlot {
            if (geometry < 0 || slot < 0) {
                throw new IllegalArgumentException("negative MIG geometry or slot: " + geometry + "-" + slot);
            }
        }

        /** {@code [<geometry>-<slot>]}. */
        public String suffix() {
            return "[" + geometry + "-" + slot + "]";
        }
    }

    public static MigUuid whole(String base) {
        return new MigUuid(base, Optional.empty());
    }

    public static MigUuid of(String base, MigSlot slot) {
        return new MigUuid(base, Optional.of(slot));
    }

    /**
     * The physical GPU's UUID of an allocation UUID: the part before {@code [}, or the whole UUID. Does not check
     * the suffix; {@link #parse} does.
     */
    public static String baseOf(String uuid) {
        int open = uuid.indexOf('[');
        return open < 0 ? uuid : uuid.substring(0, open);
    }

    /**
     * Splits a UUID. Without {@code [} the whole string is the base; with it, the UUID must end in exactly one
     * {@code [<non-negative int>-<non-negative int>]} and the base before it must not be empty.
     */
    public static MigUuid parse(String uuid) throws MalformedAnnotationException {
        int open = uuid.indexOf('[');
        if (open < 0) {
            if (uuid.indexOf(']') >= 0) {
                throw new MalformedAnnotationException("UUID " + Excerpt.of(uuid) + " has ']' without '['");
            }
            return whole(uuid);
        }
        int dash = uuid.indexOf('-', open);
        if (open == 0 || !uuid.endsWith("]") || dash < 0 || uuid.indexOf('[', open + 1) >= 0) {
            throw new MalformedAnnotationException("UUID " + Excerpt.of(uuid)
                    + " does not end in a MIG suffix [<geometry>-<slot>]");
        }
        Integer geometry = DecimalInt.parseUnsigned(uuid.substring(open + 1, dash));
        Integer slot = DecimalInt.parseUnsigned(uuid.substring(dash + 1, uuid.length() - 1));
        if (geometry == null || slot == null) {
            throw new MalformedAnnotationException("UUID " + Excerpt.of(uuid)
                    + ": MIG geometry and slot must be non-negative integers");
        }
        return of(uuid.substring(0, open), new MigSlot(geometry, slot));
    }

    /** The UUID as written in the annotation. */
    public String format() {
        return mig.map(s -> base + s.suffix()).orElse(base);
    }
}
