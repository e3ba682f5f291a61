package dev.gpushare.common.annotation;

import java.util.Optional;

/** Values of {@link HamiKeys#BIND_PHASE}. */
public enum BindPhase {
    /** Written by the scheduler before it creates the Binding. */
    ALLOCATING("allocating"),
    /** Written by the device plugin after the last container got its devices. */
    SUCCESS("success"),
    /** Written by the device plugin when Allocate failed. */
    FAILED("failed");

    private final String value;

    BindPhase(String value) {
        this.value = value;
    }

    public String value() {
        return value;
    }

    /** The phase named by an annotation value (exact match), or empty for anything else. */
    public static Optional<BindPhase> fromValue(String value) {
        for (BindPhase phase : values()) {
            if (phase.value.equals(value)) {
                return Optional.of(phase);
            }
        }
        return Optional.empty();
    }
}
