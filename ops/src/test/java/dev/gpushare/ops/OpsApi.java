package dev.gpushare.ops;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * fabric8's mock API in CRUD mode, answering {@code GET /version} too (the CRUD dispatcher does not), with the
 * Kubernetes version a test gives, and keeping the UID and creation time a test pins with {@link #PINNED_UID} and
 * {@link #PINNED_CREATION}.
 */
final class OpsApi implements AutoCloseable {

    /** The mock server logs every request at INFO through java.util.logging; held so the setting sticks. */
    private static final Logger REQUEST_LOG = Logger.getLogger("io.fabric8.mockwebserver");

    static {
        REQUEST_LOG.setLevel(Level.WARNING);
    }

    /** A created object with this annotation gets its value as UID (the API server assigns UIDs otherwise). */
    static final String PINNED_UID = "test.gpushare.dev/uid";
    /** The same for {@code creationTimestamp} (the API server stamps its own clock). */
    static final String PINNED_CREATION = "test.gpushare.dev/created";

    private final KubernetesMockServer server;
    final KubernetesClient client;

    private OpsApi(String gitVersion) {
        KubernetesCrudDispatcher dispatcher = new KubernetesCrudDispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                if ("GET".equals(request.getMethod()) && "/version".equals(request.getPath())) {
                    return new MockResponse().setResponseCode(200).setBody(Serialization.asJson(Map.of(
                            "major", "1", "minor", gitVersion.replaceAll("^v1\\.(\\d+).*", "$1"),
                            "gitVersion", gitVersion)));
                }
                return super.dispatch(request);
            }

            @Override
            public void processEvent(String path, AttributeSet pathAttributes, AttributeSet oldAttributes,
                                     GenericKubernetesResource resource, String newState) {
                Map<String, String> annotations = resource == null ? null : resource.getMetadata().getAnnotations();
                if (oldAttributes == null && annotations != null && annotations.containsKey(PINNED_UID)) {
                    resource.getMetadata().setUid(annotations.get(PINNED_UID));
                    newState = Serialization.asJson(resource);
                }
                if (oldAttributes == null && annotations != null && annotations.containsKey(PINNED_CREATION)) {
                    resource.getMetadata().setCreationTimestamp(annotations.get(PINNED_CREATION));
                    newState = Serialization.asJson(resource);
                }
                super.processEvent(path, pathAttributes, oldAttributes, resource, newState);
            }
        };
        server = new KubernetesMockServer(new Context(Serialization.jsonMapper()), new MockWebServer(),
                new HashMap<>(), dispatcher, false);
        server.start(InetAddress.getLoopbackAddress(), 0);
        client = server.createClient();
    }

    static OpsApi start(String gitVersion) {
        return new OpsApi(gitVersion);
    }

    @Override
    public void close() {
        // The server first: fabric8's stock dispatcher blocks its event loop for up to a minute when a client
        // closes a watch (an informer) while the server runs.
        server.destroy();
        client.close();
    }
}
