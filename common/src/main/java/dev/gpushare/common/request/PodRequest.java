package dev.gpushare.common.request;

import java.util.List;
import java.util.stream.Stream;

/**
 * A pod's requests, one entry per container (also those that request nothing), init containers apart.
 */
public record PodRequest(List<ContainerRequest> initContainers, List<ContainerRequest> containers) {

    public PodRequest {
        initContainers = List.copyOf(initContainers);
        containers = List.copyOf(containers);
    }

    public boolean requestsAnyGpu() {
        return Stream.concat(initContainers.stream(), containers.stream()).anyMatch(ContainerRequest::requestsGpu);
    }
}
