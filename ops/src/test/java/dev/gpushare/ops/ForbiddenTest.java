package dev.gpushare.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.Test;

/** Missing RBAC: the API server answers 403; the command exits 5 and passes on what the API server said. */
@EnableKubernetesMockClient
class ForbiddenTest {

    KubernetesMockServer server;
    KubernetesClient client;

    @Test
    void aForbiddenReadExitsFiveNamingVerbAndResource() {
        String message = "deployments.apps \"hami-scheduler\" is forbidden: User \"alice\" cannot get resource "
                + "\"deployments\" in API group \"apps\" in the namespace \"kube-system\"";
        server.expect().get().withPath("/version").andReturn(200, "{\"gitVersion\":\"v1.30.2\"}").always();
        server.expect().get().withPath("/apis/apps/v1/namespaces/kube-system/deployments/hami-scheduler")
                .andReturn(403, new StatusBuilder().withStatus("Failure").withCode(403).withReason("Forbidden")
                        .withMessage(message).build()).always();

        OpsRun run = OpsRun.of(client, Clusters.CLOCK, "preflight");

        assertThat(run.exitCode()).isEqualTo(5);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("preflight: forbidden: " + message + "\n");
    }
}
