package dev.gpushare.common.annotation;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * A value of {@link HamiKeys#NODE_HANDSHAKE} (spec section 2.5), as read by {@code preflight}. HAMi's scheduler
 * writes {@code Requesting_<DateTime>} and {@code Deleted_<DateTime>} in Go's {@code DateTime} layout, read here as
 * UTC (HAMi writes local time and reads it back as UTC, which only agrees when TZ=UTC); we write neither. Older
 * device plugins wrote {@code Reported <Go time>} or {@code Reported_<timestamp>}; nobody reads those for NVIDIA, so
 * they are kept verbatim.
 */
public sealed interface Handshake {

    /** HAMi's scheduler asked the device plugin to report (health check of the generic vendors). */
    record Requesting(Instant at) implements Handshake {
        public Requesting {
            at = at.truncatedTo(ChronoUnit.SECONDS);
        }
    }

    /** HAMi's scheduler dropped the node's devices. */
    record Deleted(Instant at) implements Handshake {
        public Deleted {
            at = at.truncatedTo(ChronoUnit.SECONDS);
        }
    }

    /** A device plugin reported; {@code value} is the whole annotation value, starting with {@code Reported}. */
    record Reported(String value) implements Handshake {
        public Reported {
            Objects.requireNonNull(value, "value");
            if (!value.startsWith("Reported")) {
                throw new IllegalArgumentException("not a Reported handshake: " + value);
            }
        }
    }

    static Handshake parse(String value) throws MalformedAnnotationException {
        if (value.startsWith("Reported")) {
            return new Reported(value);
        }
        if (value.startsWith("Requesting_")) {
            return new Requesting(dateTime(value.substring("Requesting_".length())));
        }
        if (value.startsWith("Deleted_")) {
            return new Deleted(dateTime(value.substring("Deleted_".length())));
        }
        throw new MalformedAnnotationException(HamiKeys.NODE_HANDSHAKE
                + ": expected Requesting_<time>, Deleted_<time> or Reported..., got " + Excerpt.of(value));
    }

    private static Instant dateTime(String text) throws MalformedAnnotationException {
        return GoTime.parseDateTime(text).orElseThrow(() -> new MalformedAnnotationException(
                HamiKeys.NODE_HANDSHAKE + ": expected a time like 2006-01-02 15:04:05, got " + Excerpt.of(text)));
    }
}
