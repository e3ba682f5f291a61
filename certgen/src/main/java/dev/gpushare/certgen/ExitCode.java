package dev.gpushare.certgen;

/** Exit codes of {@link Certgen}; the chart's jobs and operators read them (see {@link Certgen}). */
public enum ExitCode {
    OK(0),
    API_ERROR(1),
    USAGE(2),
    SECRET_NOT_FOUND(3),
    WEBHOOK_NOT_FOUND(4),
    FORBIDDEN(5);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
