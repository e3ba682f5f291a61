package dev.gpushare.scheduler.extender;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.scheduler.embedded.ApiServerDispatcher;
import dev.gpushare.scheduler.embedded.EmbeddedApiServer;
import dev.gpushare.scheduler.kube.PodBindings;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What {@code /bind}'s check under the node lock counts as bound to a node: the API's {@code spec.nodeName}. */
class CachedClusterReadsTest {

    private final EmbeddedApiServer api = EmbeddedApiServer.start(new ApiServerDispatcher(), 0);
    private final KubernetesClient client = api.newClient();
    /** The pod reads need no informer. */
    private final CachedClusterReads reads = new CachedClusterReads(null, client);

    @AfterEach
    void stop() {
        client.close();
        api.close();
    }

    private Pod create(String namespace, String name, String label) {
        PodBuilder pod = new PodBuilder().withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("i").endContainer().endSpec();
        if (label != null) {
            pod.editMetadata().addToLabels(HamiKeys.VGPU_NODE, label).endMetadata();
        }
        return client.pods().inNamespace(namespace).resource(pod.build()).create();
    }

    private void bind(Pod pod, String node) throws InterruptedException {
        new PodBindings(client).bind(pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
                pod.getMetadata().getUid(), node);
    }

    @Test
    void podsBoundToANodeAreTheOnesItsSpecNodeNameNamesInEveryNamespaceLabelOrNot() throws Exception {
        // Bound by another instance of ours whose label patch after the Binding has not landed (or failed).
        bind(create("a", "bound-unlabelled", null), "n1");
        bind(create("b", "bound-labelled", "n1"), "n1");
        // HAMi's scheduler labels at filter time: placed on n1, not bound yet.
        create("a", "placed-unbound", "n1");
        bind(create("a", "stale-label", "n1"), "n2");

        assertThat(reads.podsBoundTo("n1")).extracting(p -> p.getMetadata().getNamespace() + "/"
                + p.getMetadata().getName()).containsExactlyInAnyOrder("a/bound-unlabelled", "b/bound-labelled");
        assertThat(reads.podsBoundTo("n3")).isEmpty();
    }
}
