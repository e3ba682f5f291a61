package dev.gpushare.ops.preflight;

/** One line of the preflight checklist. */
public record Check(String name, Status status, String message) {

    public enum Status {
        PASS, WARN, FAIL;

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public static Check pass(String name, String message) {
        return new Check(name, Status.PASS, message);
    }

    public static Check warn(String name, String message) {
        return new Check(name, Status.WARN, message);
    }

    public static Check fail(String name, String message) {
        return new Check(name, Status.FAIL, message);
    }

    /** {@code FAIL node-locks: node gpu-1: ...}. */
    public String line() {
        return String.format("%-4s %s: %s", status, name, message);
    }
}
