package dev.gpushare.common.annotation;

/**
 * Layout of the allocation annotations ({@code hami.io/compat.allocation-encoding}).
 * {@code V2_8}: one segment per regular container (what a v2.8 device plugin reads);
 * {@code V2_9}: init containers first, then regular containers.
 */
public enum AllocationEncoding {
    V2_8("v2.8"),
    V2_9("v2.9");

    private final String value;

    AllocationEncoding(String value) {
        this.value = value;
    }

    public String value() {
        return value;
    }
}
