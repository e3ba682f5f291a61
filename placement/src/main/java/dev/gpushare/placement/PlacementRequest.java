package dev.gpushare.placement;

import dev.gpushare.common.request.PodRequest;

import java.util.Map;
import java.util.Objects;

/**
 * One pod to place.
 *
 * @param namespace   the pod's namespace (named in an invalid-pod message)
 * @param name        the pod's name (named in an invalid-pod message)
 * @param request     the pod's parsed GPU requests
 * @param annotations the pod's annotations (policies and GPU selectors are read from them)
 * @param quota       the namespace's GPU quota; {@code null} is read as {@link NamespaceQuota#NONE}
 */
public record PlacementRequest(String namespace, String name, PodRequest request, Map<String, String> annotations,
                               NamespaceQuota quota) {

    public PlacementRequest {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(request, "request");
        annotations = StringMaps.copyWithoutNulls(annotations);
        quota = quota == null ? NamespaceQuota.NONE : quota;
    }
}
