package dev.gpushare.scheduler.leader;

import java.util.Optional;

/** This replica's own pod, as the downward API names it ({@code POD_NAMESPACE}, {@code POD_NAME}). */
public record PodRef(String namespace, String name) {

    /** The pod, when both names are known. */
    public static Optional<PodRef> of(String namespace, String name) {
        return namespace == null || namespace.isBlank() || name == null || name.isBlank() ? Optional.empty()
                : Optional.of(new PodRef(namespace, name));
    }

    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
