package dev.gpushare.scheduler.kube;

import dev.gpushare.scheduler.extender.PodBinder;
import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code POST /api/v1/namespaces/{ns}/pods/{name}/binding}, the call kube-scheduler's own binder makes (fabric8 has
 * no typed method for this subresource).
 */
public final class PodBindings implements PodBinder {

    private static final long TIMEOUT_SECONDS = 10;

    private final KubernetesClient client;

    public PodBindings(KubernetesClient client) {
        this.client = client;
    }

    /**
     * Binds the pod to the node; the pod's UID is a precondition (the API server refuses a pod of the same name
     * that was recreated meanwhile).
     *
     * @throws KubernetesClientException with the API server's code and message when it refuses
     */
    public void bind(String namespace, String name, String uid, String node) throws InterruptedException {
        String body = Serialization.asJson(new BindingBuilder().withApiVersion("v1").withKind("Binding")
                .withNewMetadata().withName(name).withNamespace(namespace).withUid(uid).endMetadata()
                .withNewTarget().withApiVersion("v1").withKind("Node").withName(node).endTarget().build());
        String url = client.getMasterUrl().toString().replaceAll("/+$", "") + "/api/v1/namespaces/" + namespace
                + "/pods/" + name + "/binding";
        HttpRequest request = client.getHttpClient().newHttpRequestBuilder().uri(url)
                .post("application/json", body).build();
        HttpResponse<String> response;
        try {
            response = client.getHttpClient().sendAsync(request, String.class).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new KubernetesClientException("binding request failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new KubernetesClientException("binding request timed out after " + TIMEOUT_SECONDS + "s");
        }
        if (!response.isSuccessful()) {
            throw new KubernetesClientException(message(response), response.code(), null);
        }
    }

    private static String message(HttpResponse<String> response) {
        String body = response.body();
        try {
            Status status = Serialization.unmarshal(body, Status.class);
            if (status != null && status.getMessage() != null) {
                return status.getMessage();
            }
        } catch (RuntimeException e) {
            // Not a Status: use the raw text below.
        }
        String text = body == null || body.isBlank() ? response.message() : body;
        return "HTTP " + response.code() + ": " + (text.length() > 200 ? text.substring(0, 200) : text);
    }
}
