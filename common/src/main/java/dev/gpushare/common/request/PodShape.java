package dev.gpushare.common.request;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Optional;

/**
 * What JSON decoding lets through but no pod of the API server can have: a {@code null} entry in a container list
 * ({@code containers: [null]}). The webhook sees objects before the API server validates them, and an extender
 * request is any JSON a client sends, so both check this before anything reads the containers.
 */
public final class PodShape {

    private PodShape() {
    }

    /** The path of the first {@code null} container entry (e.g. {@code spec.initContainers[1]}), if any. */
    public static Optional<String> nullContainer(Pod pod) {
        if (pod == null || pod.getSpec() == null) {
            return Optional.empty();
        }
        return firstNull("spec.initContainers", pod.getSpec().getInitContainers())
                .or(() -> firstNull("spec.containers", pod.getSpec().getContainers()));
    }

    private static Optional<String> firstNull(String field, List<Container> containers) {
        if (containers == null) {
            return Optional.empty();
        }
        for (int i = 0; i < containers.size(); i++) {
            if (containers.get(i) == null) {
                return Optional.of(field + "[" + i + "]");
            }
        }
        return Optional.empty();
    }
}
