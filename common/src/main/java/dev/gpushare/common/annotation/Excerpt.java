package dev.gpushare.common.annotation;

/** Short excerpts of untrusted values for error messages (annotations can be up to 256 KiB). */
public final class Excerpt {

    private static final int MAX = 64;

    private Excerpt() {
    }

    /** The value in double quotes, cut after 64 characters. */
    public static String of(String value) {
        return '"' + shorten(value) + '"';
    }

    /** Text that carries its own quoting (a JSON token), cut after 64 characters. */
    static String unquoted(String text) {
        return shorten(text);
    }

    private static String shorten(String value) {
        if (value.length() <= MAX) {
            return value;
        }
        return value.substring(0, MAX) + "... (" + value.length() + " chars)";
    }
}
