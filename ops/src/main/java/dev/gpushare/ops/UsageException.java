package dev.gpushare.ops;

/** A command line that cannot be run: the message says what is wrong with it. */
public final class UsageException extends Exception {

    public UsageException(String message) {
        super(message);
    }
}
