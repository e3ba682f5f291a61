package dev.gpushare.common.request;

import dev.gpushare.common.annotation.Excerpt;
import java.util.Optional;

/**
 * Kubernetes' name rules, checked on every name a request carries before it goes into an API URL (a pod name
 * {@code ../../nodes/x} or {@code a/b} would address another resource): object names of pods and nodes are RFC 1123
 * subdomains, namespaces RFC 1123 labels, as the API server itself requires.
 */
public final class KubeNames {

    private static final int MAX_LABEL = 63;
    private static final int MAX_SUBDOMAIN = 253;

    private KubeNames() {
    }

    /** Why {@code value} is not a valid object name (pods, nodes), naming {@code field}; empty when it is. */
    public static Optional<String> objectNameProblem(String field, String value) {
        if (value != null && value.length() <= MAX_SUBDOMAIN && isSubdomain(value)) {
            return Optional.empty();
        }
        return Optional.of(field + ": " + Excerpt.of(value) + " is not a valid Kubernetes name (RFC 1123 subdomain:"
                + " lowercase letters, digits, '-' and '.', starting and ending alphanumeric, at most "
                + MAX_SUBDOMAIN + " characters)");
    }

    /** Why {@code value} is not a valid namespace name, naming {@code field}; empty when it is. */
    public static Optional<String> namespaceProblem(String field, String value) {
        if (value != null && value.length() <= MAX_LABEL && isLabel(value, 0, value.length())) {
            return Optional.empty();
        }
        return Optional.of(field + ": " + Excerpt.of(value) + " is not a valid Kubernetes namespace (RFC 1123 label:"
                + " lowercase letters, digits and '-', starting and ending alphanumeric, at most " + MAX_LABEL
                + " characters)");
    }

    /**
     * {@code [a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*}, scanned by hand: {@code /filter}
     * checks every candidate node's name, 500 per call, and a regex matcher there was a tenth of what a call
     * allocated.
     */
    static boolean isSubdomain(String value) {
        int start = 0;
        for (int dot = value.indexOf('.'); dot >= 0; dot = value.indexOf('.', start)) {
            if (!isLabel(value, start, dot)) {
                return false;
            }
            start = dot + 1;
        }
        return isLabel(value, start, value.length());
    }

    /** {@code [a-z0-9]([-a-z0-9]*[a-z0-9])?} over {@code value[from, to)}. */
    static boolean isLabel(String value, int from, int to) {
        if (from >= to || !alphanumeric(value.charAt(from)) || !alphanumeric(value.charAt(to - 1))) {
            return false;
        }
        for (int i = from + 1; i < to - 1; i++) {
            char c = value.charAt(i);
            if (c != '-' && !alphanumeric(c)) {
                return false;
            }
        }
        return true;
    }

    private static boolean alphanumeric(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    }
}
