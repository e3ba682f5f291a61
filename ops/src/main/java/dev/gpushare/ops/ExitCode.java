package dev.gpushare.ops;

/**
 * Exit codes of every ops subcommand, for pipelines ({@code docs/operations/README.md} lists them per command).
 * The meaning of 3 and 4 is per command: "the check failed" and "the check passed with something to look at".
 */
public enum ExitCode {
    /** Passed: every preflight check, no lost or changed allocation, nothing left to restore, smoke pod succeeded. */
    OK(0),
    /** The API could not be used (unreachable, unexpected status) or an unexpected failure. */
    API_ERROR(1),
    /** Unknown subcommand or flag, missing value, unreadable input file. */
    USAGE(2),
    /** preflight: a check failed; state diff: an allocation was lost or changed; state restore: a pod was refused;
     *  smoke-test: the pod did not reach {@code bind-phase: success}. */
    FAILED(3),
    /** preflight: warnings, no failure; state restore without {@code --apply}: there is something to restore. */
    ATTENTION(4),
    /** HTTP 403: the credentials lack a permission (the message names it). */
    FORBIDDEN(5);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
