package dev.gpushare.common.annotation;

/**
 * Strict decimal integers as Go's {@code strconv} writes them: optional sign, ASCII digits only, within int32.
 * {@link Integer#parseInt} would also accept non-ASCII digits, which no writer of these annotations produces.
 */
final class DecimalInt {

    private DecimalInt() {
    }

    /** The value of a sign-less decimal int32, or {@code null}. */
    static Integer parseUnsigned(String text) {
        return text.isEmpty() || text.charAt(0) == '+' || text.charAt(0) == '-' ? null : parse(text);
    }

    /** The value, or {@code null} when {@code text} is not a decimal int32. */
    static Integer parse(String text) {
        int start = 0;
        if (!text.isEmpty() && (text.charAt(0) == '+' || text.charAt(0) == '-')) {
            start = 1;
        }
        if (start == text.length() || text.length() - start > 10) {
            return null;
        }
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return null;
            }
        }
        long value = Long.parseLong(text);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            return null;
        }
        return (int) value;
    }
}
