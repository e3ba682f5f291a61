package dev.gpushare.common.request;

import dev.gpushare.common.annotation.Excerpt;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Kubernetes' name rules, checked on every name a request carries before it goes into an API URL (a pod name
 * {@code ../../nodes/x} or {@code a/b} would address another resource): object names of pods and nodes are RFC 1123
 * subdomains, namespaces RFC 1123 labels, as the API server itself requires.
 */
public final class KubeNames {

    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final int MAX_LABEL = 63;
    private static final int MAX_SUBDOMAIN = 253;

    private KubeNames() {
    }

    /** Why {@code value} is not a valid object name (pods, nodes), naming {@code field}; empty when it is. */
    public static Optional<String> objectNameProblem(String field, String value) {
        if (value != null && value.length() <= MAX_SUBDOMAIN && SUBDOMAIN.matcher(value).matches()) {
            return Optional.empty();
        }
        return Optional.of(field + ": " + Excerpt.of(value) + " is not a valid Kubernetes name (RFC 1123 subdomain:"
                + " lowercase letters, digits, '-' and '.', starting and ending alphanumeric, at most "
                + MAX_SUBDOMAIN + " characters)");
    }

    /** Why {@code value} is not a valid namespace name, naming {@code field}; empty when it is. */
    public static Optional<String> namespaceProblem(String field, String value) {
        if (value != null && value.length() <= MAX_LABEL && LABEL.matcher(value).matches()) {
            return Optional.empty();
        }
        return Optional.of(field + ": " + Excerpt.of(value) + " is not a valid Kubernetes namespace (RFC 1123 label:"
                + " lowercase letters, digits and '-', starting and ending alphanumeric, at most " + MAX_LABEL
                + " characters)");
    }
}
