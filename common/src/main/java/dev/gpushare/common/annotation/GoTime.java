package dev.gpushare.common.annotation;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Go's time layouts used on the wire: {@code time.RFC3339} ({@code 2006-01-02T15:04:05Z07:00}) and
 * {@code time.DateTime} ({@code 2006-01-02 15:04:05}, read only). Formatting is in UTC and to the second, as Go
 * renders a UTC time ({@code Z}, no fraction); parsing accepts what Go's parser accepts: a fraction of any length,
 * {@code Z} or a {@code ±hh:mm} offset.
 */
public final class GoTime {

    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ssXXX");
    private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss")
            .withResolverStyle(ResolverStyle.STRICT);
    private static final Pattern RFC3339_SHAPE = Pattern.compile(
            "(\\d{4})-(\\d{2})-(\\d{2})T(\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d+))?(?:(Z)|([+-])(\\d{2}):(\\d{2}))");
    private static final Pattern DATE_TIME_SHAPE = Pattern.compile("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}");

    private GoTime() {
    }

    /** E.g. {@code 2026-05-19T08:33:25Z}. */
    public static String formatRfc3339(Instant time) {
        return RFC3339.format(time.truncatedTo(ChronoUnit.SECONDS).atOffset(ZoneOffset.UTC));
    }

    /** The instant, or empty when {@code text} is not an RFC 3339 time with a real date and offset. */
    public static Optional<Instant> parseRfc3339(String text) {
        Matcher m = RFC3339_SHAPE.matcher(text);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            int nanos = 0;
            if (m.group(7) != null) {
                String digits = (m.group(7) + "000000000").substring(0, 9);
                nanos = Integer.parseInt(digits);
            }
            LocalDateTime local = LocalDateTime.of(num(m, 1), num(m, 2), num(m, 3), num(m, 4), num(m, 5),
                    num(m, 6), nanos);
            ZoneOffset offset = m.group(8) != null ? ZoneOffset.UTC
                    : ZoneOffset.ofHoursMinutes(("-".equals(m.group(9)) ? -1 : 1) * num(m, 10),
                    ("-".equals(m.group(9)) ? -1 : 1) * num(m, 11));
            return Optional.of(local.toInstant(offset));
        } catch (DateTimeException outOfRange) {
            return Optional.empty();
        }
    }

    /** The instant of a {@code DateTime} read as UTC, or empty. */
    public static Optional<Instant> parseDateTime(String text) {
        if (!DATE_TIME_SHAPE.matcher(text).matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(LocalDateTime.parse(text, DATE_TIME).toInstant(ZoneOffset.UTC));
        } catch (DateTimeException outOfRange) {
            return Optional.empty();
        }
    }

    private static int num(Matcher m, int group) {
        return Integer.parseInt(m.group(group));
    }
}
