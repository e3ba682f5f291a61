package dev.gpushare.scheduler.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The families reach Prometheus' text format with their exact names and HELP, computed anew on every scrape. */
class ScrapeTimeCollectorTest {

    private static String text(PrometheusRegistry registry) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void everyScrapeComputesTheSamplesOfThatMomentAndLeavesEmptyFamiliesOut() throws IOException {
        AtomicReference<Double> value = new AtomicReference<>(1.0);
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new ScrapeTimeCollector(List.of("GPUDeviceSharedNum", "hami_empty"), () -> List.of(
                new GaugeFamily("GPUDeviceSharedNum", "Number of containers sharing this GPU",
                        List.of("nodeid", "zone"), List.of(new GaugeFamily.Sample(List.of("n1", "vGPU"), value.get()))),
                new GaugeFamily("hami_empty", "nothing here", List.of(), List.of()))));

        assertThat(text(registry)).isEqualTo("""
                # HELP GPUDeviceSharedNum Number of containers sharing this GPU
                # TYPE GPUDeviceSharedNum gauge
                GPUDeviceSharedNum{nodeid="n1",zone="vGPU"} 1.0
                """);
        value.set(3.0);
        assertThat(text(registry)).contains("GPUDeviceSharedNum{nodeid=\"n1\",zone=\"vGPU\"} 3.0");
    }

    @Test
    void buildInfoIsOneSeriesUnderHamisLabelNames() throws IOException {
        PrometheusRegistry registry = new PrometheusRegistry();
        GaugeFamily family = new BuildInfoSeries("0.1.0", null, "2026-12-01T22:00:00Z", "java25.0.1", "javac",
                BuildInfoSeries.platform("Linux", "amd64")).family();
        registry.register(new ScrapeTimeCollector(List.of(family.name()), () -> List.of(family)));

        assertThat(text(registry)).isEqualTo("""
                # HELP hami_build_info hami build metadata exposed as labels with a constant value of 1.
                # TYPE hami_build_info gauge
                hami_build_info{build_date="2026-12-01T22:00:00Z",compiler="javac",go_version="java25.0.1",\
                platform="linux/amd64",revision="unknown",version="0.1.0"} 1.0
                """);
        assertThat(BuildInfoSeries.platform("Mac OS X", "aarch64")).isEqualTo("darwin/arm64");
        assertThat(BuildInfoSeries.platform("Linux", "x86_64")).isEqualTo("linux/amd64");
    }

    @Test
    void aFamilyTheCollectorDidNotDeclareIsABug() {
        ScrapeTimeCollector collector = new ScrapeTimeCollector(List.of("a"),
                () -> List.of(new GaugeFamily("b", "b", List.of(), List.of())));
        assertThatThrownBy(collector::collect).hasMessage("family b was not declared");
        assertThatThrownBy(() -> new GaugeFamily("c", " ", List.of(), List.of()))
                .hasMessage("family c has no HELP text");
    }
}
