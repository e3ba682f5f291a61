package dev.gpushare.placement;

/** The pod cannot be placed as written; the message names the annotation or container at fault. */
final class InvalidPodException extends Exception {

    InvalidPodException(String message) {
        super(message);
    }
}
