package dev.gpushare.common.annotation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The one rule of which containers have allocation segments, and in which order. */
class AllocationEncodingTest {

    @Test
    void onlyV29CarriesInitContainers() {
        assertThat(AllocationEncoding.V2_8.carriesInitContainers()).isFalse();
        assertThat(AllocationEncoding.V2_9.carriesInitContainers()).isTrue();
    }

    @Test
    void v29OrdersInitContainersFirstAndV28LeavesThemOut() {
        List<String> init = List.of("init-a", "sidecar");
        List<String> regular = List.of("main", "helper");

        assertThat(AllocationEncoding.V2_9.segmentOrder(init, regular))
                .containsExactly("init-a", "sidecar", "main", "helper");
        assertThat(AllocationEncoding.V2_8.segmentOrder(init, regular)).containsExactly("main", "helper");
        assertThat(AllocationEncoding.V2_9.segmentOrder(List.of(), regular)).containsExactly("main", "helper");
    }
}
