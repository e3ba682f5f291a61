package dev.gpushare.certgen;

/** The command line is wrong; the message says what, and the usage text follows it. */
final class UsageException extends Exception {

    UsageException(String message) {
        super(message);
    }
}
