package dev.gpushare.webhook;

import java.util.Optional;

import dev.gpushare.common.annotation.Excerpt;

/**
 * The HTTP answer to one {@code /webhook} call and what to log about it. The body is always JSON
 * ({@value #CONTENT_TYPE}): an AdmissionReview, or a Status when the request was unreadable ({@code httpStatus} 400).
 *
 * @param httpStatus    200 for every AdmissionReview answer (allowed or not), 400 when no uid could be read
 * @param body          the JSON to send
 * @param outcome       what happened, for the log line and metrics
 * @param uid           the request's uid, empty when unreadable
 * @param pod           {@code namespace/name} (or {@code namespace/generateName*}), empty when unknown
 * @param message       the denial message, skip reason or error description; empty when none
 * @param internalError the unexpected failure behind {@link Outcome#INTERNAL_ERROR}, to log with its stack trace
 */
public record AdmissionResult(int httpStatus, String body, Outcome outcome, Optional<String> uid, Optional<String> pod,
                              Optional<String> message, Optional<RuntimeException> internalError) {

    public static final String CONTENT_TYPE = "application/json";

    /** What the webhook did with a request. */
    public enum Outcome {
        /** Allowed with a JSON Patch. */
        PATCHED,
        /** Allowed, nothing to change. */
        UNCHANGED,
        /** Allowed untouched: not ours (another scheduler's pod, or not a create). */
        SKIPPED,
        /** Refused (403): an invalid or impossible request. */
        DENIED,
        /** Refused (400): the AdmissionReview's object is missing or not a pod. */
        MALFORMED,
        /** No AdmissionReview answer possible (no uid): HTTP 400. */
        UNREADABLE,
        /** A bug or a failing dependency: allowed unchanged with a warning, so pod creation never blocks on us. */
        INTERNAL_ERROR
    }

    /** One structured line for the operator's log (no pod content beyond its name). */
    public String logLine() {
        StringBuilder line = new StringBuilder("admission outcome=").append(outcome.name().toLowerCase());
        uid.ifPresent(value -> line.append(" uid=").append(Excerpt.plain(value)));
        pod.ifPresent(value -> line.append(" pod=").append(value));
        message.ifPresent(value -> line.append(" message=").append(Excerpt.quotedMessage(value)));
        internalError.ifPresent(error -> line.append(" error=").append(error.getClass().getName()));
        return line.toString();
    }
}
