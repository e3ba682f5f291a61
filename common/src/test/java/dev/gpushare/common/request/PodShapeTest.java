package dev.gpushare.common.request;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PodShapeTest {

    private static Pod pod(Container[] init, Container[] containers) {
        Pod pod = new PodBuilder().withNewMetadata().withName("p").endMetadata().withNewSpec().endSpec().build();
        pod.getSpec().setInitContainers(init == null ? null : Arrays.asList(init));
        pod.getSpec().setContainers(containers == null ? null : Arrays.asList(containers));
        return pod;
    }

    @Test
    void namesTheFirstNullEntryInitContainersFirst() {
        Container c = new ContainerBuilder().withName("c").build();

        assertThat(PodShape.nullContainer(pod(null, new Container[] {c, null}))).hasValue("spec.containers[1]");
        assertThat(PodShape.nullContainer(pod(new Container[] {null}, new Container[] {null})))
                .hasValue("spec.initContainers[0]");
        assertThat(PodShape.nullContainer(pod(new Container[] {c}, new Container[] {c}))).isEmpty();
        assertThat(PodShape.nullContainer(pod(null, null))).isEmpty();
        assertThat(PodShape.nullContainer(new Pod())).isEmpty();
    }
}
