package dev.gpushare.certgen;

import java.util.function.Supplier;

import io.fabric8.kubernetes.client.KubernetesClientException;

/** A Kubernetes API call failed; names the verb and the resource so that a missing RBAC rule is obvious. */
final class ApiCallException extends Exception {

    private final int code;

    private ApiCallException(String message, int code, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** HTTP status of the failure, 0 when the API server was not reached. */
    int code() {
        return code;
    }

    boolean conflict() {
        return code == 409;
    }

    ExitCode exitCode() {
        return code == 403 ? ExitCode.FORBIDDEN : ExitCode.API_ERROR;
    }

    /** Runs one API call, turning a client failure into an {@code ApiCallException} naming {@code verb}. */
    static <T> T attempt(ApiTarget target, String verb, Supplier<T> call) throws ApiCallException {
        try {
            return call.get();
        } catch (KubernetesClientException e) {
            throw of(target, verb, e);
        }
    }

    private static ApiCallException of(ApiTarget target, String verb, KubernetesClientException e) {
        String apiMessage = e.getStatus() != null && e.getStatus().getMessage() != null
                ? e.getStatus().getMessage() : e.getMessage();
        String message;
        if (e.getCode() == 403) {
            message = "forbidden: cannot " + verb + " " + target + ": the service account needs verb '" + verb
                    + "' on resource '" + target.resource() + "'" + (target.apiGroup().isEmpty() ? ""
                    : " in API group '" + target.apiGroup() + "'") + " (API server said: " + apiMessage + ")";
        } else if (e.getCode() == 0) {
            message = "cannot " + verb + " " + target + ": API server not reachable: " + e.getMessage();
        } else {
            message = "cannot " + verb + " " + target + ": HTTP " + e.getCode() + ": " + apiMessage;
        }
        return new ApiCallException(message, e.getCode(), e);
    }

    /** The object an API call was about. */
    record ApiTarget(String apiGroup, String resource, String namespace, String name) {

        static ApiTarget secret(String namespace, String name) {
            return new ApiTarget("", "secrets", namespace, name);
        }

        static ApiTarget mutatingWebhookConfiguration(String name) {
            return new ApiTarget("admissionregistration.k8s.io", "mutatingwebhookconfigurations", null, name);
        }

        @Override
        public String toString() {
            return resource + " \"" + name + "\"" + (namespace == null ? "" : " in namespace \"" + namespace + "\"");
        }
    }
}
