package dev.gpushare.common.annotation;

/**
 * An annotation value that does not follow its wire format. Decoders throw it instead of guessing, so callers can
 * report the node or pod with its own reason; the message says what is wrong and never repeats more than a short
 * excerpt of the value.
 */
public final class MalformedAnnotationException extends Exception {

    public MalformedAnnotationException(String message) {
        super(message);
    }
}
