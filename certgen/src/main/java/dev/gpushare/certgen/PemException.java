package dev.gpushare.certgen;

/** PEM text that does not hold what was expected (no block, wrong block type, undecodable content). */
public final class PemException extends Exception {

    public PemException(String message) {
        super(message);
    }

    public PemException(String message, Throwable cause) {
        super(message, cause);
    }
}
