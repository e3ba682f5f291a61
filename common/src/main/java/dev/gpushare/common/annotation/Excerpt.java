package dev.gpushare.common.annotation;

/**
 * Short, escaped excerpts of untrusted values, for every request or annotation value that reaches an answer or a
 * log line (annotations can be up to 256 KiB, a request uid can hold a newline). An excerpt is at most
 * {@value #MAX} characters of the value, then {@code ... (N chars)}; line breaks, tabs and every other control or
 * format character (bidirectional overrides, U+2028/U+2029, ...) are written as {@code \n}, {@code \r}, {@code \t} or
 * {@code \}{@code uXXXX}, and a backslash as {@code \\}, so no input can start a log line or hide text.
 */
public final class Excerpt {

    /** Characters of the value kept (an escape counts as the characters it is written with). */
    public static final int MAX = 64;
    /** Characters kept of a composed message (ours, with excerpts inside, or a parser's). */
    public static final int MAX_MESSAGE = 512;

    private Excerpt() {
    }

    /** The value in double quotes (a {@code "} inside written as {@code \"}), escaped and cut; {@code null} as is. */
    public static String of(String value) {
        return value == null ? "null" : '"' + escape(value, true, MAX) + '"';
    }

    /** The value escaped and cut, without quotes: for names and ids in {@code key=value} log fields. */
    public static String plain(String value) {
        return value == null ? "null" : escape(value, false, MAX);
    }

    /**
     * A message that may embed outside text (a JSON parser's error, a denial built from excerpts), escaped and cut
     * after {@value #MAX_MESSAGE} characters, without quotes.
     */
    public static String message(String text) {
        return text == null ? "null" : escape(text, false, MAX_MESSAGE);
    }

    /** Like {@link #message}, in double quotes: the {@code message="..."} field of a log line. */
    public static String quotedMessage(String text) {
        return text == null ? "null" : '"' + escape(text, true, MAX_MESSAGE) + '"';
    }

    /** Text that carries its own quoting (a JSON token), escaped and cut. */
    static String unquoted(String text) {
        return plain(text);
    }

    private static String escape(String value, boolean quoted, int max) {
        StringBuilder out = new StringBuilder(Math.min(value.length(), max) + 24);
        int i = 0;
        while (i < value.length() && out.length() < max) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < value.length()
                    && Character.isLowSurrogate(value.charAt(i + 1))) {
                out.append(c).append(value.charAt(i + 1));
                i += 2;
                continue;
            }
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\\' -> out.append("\\\\");
                case '"' -> out.append(quoted ? "\\\"" : "\"");
                default -> {
                    if (needsEscape(c)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
            i++;
        }
        if (i < value.length()) {
            out.append("... (").append(value.length()).append(" chars)");
        }
        return out.toString();
    }

    private static boolean needsEscape(char c) {
        int type = Character.getType(c);
        return Character.isISOControl(c) || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR || type == Character.SURROGATE;
    }
}
