package dev.gpushare.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PrometheusTextTest {

    private static final String LINE = "hami_node_gpu_overview{device_index=\"0\",device_type=\"NVIDIA-Tesla T4\","
            + "node=\"s3-gpu-node-7\",nodeid=\"other\"} 1.0";

    @Test
    void readsALabelByItsWholeNameOnly() {
        assertThat(PrometheusText.label(LINE, "node")).contains("s3-gpu-node-7");
        assertThat(PrometheusText.label(LINE, "nodeid")).contains("other");
        assertThat(PrometheusText.label(LINE, "index")).isEmpty();
        assertThat(PrometheusText.label(LINE, "device_type")).contains("NVIDIA-Tesla T4");
    }

    @Test
    void readsTheSampleValue() {
        assertThat(PrometheusText.value(LINE)).isEqualTo(1.0);
        assertThat(PrometheusText.value("gpushare_filter_duration_seconds_count{outcome=\"passed\"} 397"))
                .isEqualTo(397.0);
    }
}
