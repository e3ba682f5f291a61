package dev.gpushare.scheduler.metrics;

import static dev.gpushare.scheduler.support.TestObjects.create;
import static dev.gpushare.scheduler.support.TestObjects.get;
import static dev.gpushare.scheduler.support.TestObjects.gpuPod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.common.lock.NodeLockValue;
import dev.gpushare.scheduler.cli.BuildInfo;
import dev.gpushare.scheduler.embedded.EmbeddedClusterSeeder;
import dev.gpushare.scheduler.support.DashboardQueries;
import dev.gpushare.scheduler.support.ExtenderClient;
import dev.gpushare.scheduler.support.PrometheusScrape;
import dev.gpushare.scheduler.support.SchedulerSpringTest;
import dev.gpushare.scheduler.embedded.TestApiServerDispatcher;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * A scripted sequence against the embedded API, then {@code /metrics} as Prometheus scrapes it: exact series with
 * exact values and labels, in HAMi's names (v2.10 and, with {@code hami.metrics.legacy-names}, v2.8) and in ours.
 * The context is this class's own (the legacy switch makes it so), so every counter starts at zero.
 */
@SchedulerSpringTest
@TestPropertySource(properties = "hami.metrics.legacy-names=true")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MetricsScenarioTest {

    private static final String MODEL = "NVIDIA A100-SXM4-40GB";
    private static final String NS = "obs";
    private static final double MIB = 1024 * 1024;
    /** Label names a counter or histogram of ours may carry: each takes a small fixed set of values. */
    private static final Set<String> BOUNDED_LABELS = Set.of("outcome", "reason", "kind", "event", "change",
            "trigger", "resource", "le", "state");

    @Autowired
    KubernetesClient client;
    @Autowired
    ExtenderClient extender;
    @Autowired
    TestApiServerDispatcher api;
    @LocalManagementPort
    int managementPort;

    private static PrometheusScrape scrape;

    private static String gpu(String node, int index, int gpus) {
        return EmbeddedClusterSeeder.devices(node, gpus, MODEL, 40960, 10).get(index).id();
    }

    private void node(String name, int gpus) {
        client.nodes().resource(EmbeddedClusterSeeder.gpuNode(name, gpus, MODEL, 40960, 10)).create();
    }

    private Pod pod(String name, int memory, int cores) {
        return create(client, gpuPod(NS, name, 1, memory, cores));
    }

    private JsonNode filter(Pod pod, String... nodes) {
        return extender.filter(pod, List.of(nodes));
    }

    /** Registers nodes, places pods, a failed filter, a lock wait that runs out, a failed Binding; then scrapes. */
    @Test
    @Order(1)
    void theScriptedSequence() {
        node("obs-a", 2);
        node("obs-b", 1);
        Node bad = EmbeddedClusterSeeder.gpuNode("obs-bad", 1, MODEL, 40960, 10);
        bad.getMetadata().setAnnotations(Map.of(HamiKeys.NODE_NVIDIA_REGISTER, "not a registration"));
        client.nodes().resource(bad).create();
        client.resourceQuotas().inNamespace(NS).resource(new ResourceQuotaBuilder().withNewMetadata()
                .withName("gpu").withNamespace(NS).endMetadata().withNewSpec()
                .withHard(Map.of("limits.nvidia.com/gpumem", new Quantity("20000"))).endSpec().build()).create();
        await().atMost(Duration.ofSeconds(10)).until(() -> PrometheusScrape.of(managementPort)
                .value("gpushare_node_registration_invalid", "node", "obs-bad").isPresent()
                && PrometheusScrape.of(managementPort).samples("hami_gpu_memory_limit_bytes").size() == 3);

        // p1 is placed on obs-a (spread: the last of two idle GPUs) and bound; the device plugin finishes.
        Pod p1 = pod("p1", 3000, 30);
        assertThat(filter(p1, "obs-a").get("NodeNames").toString()).isEqualTo("[\"obs-a\"]");
        assertThat(extender.bind(p1, "obs-a").get("Error").asString()).isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> "success".equals(
                get(client, p1).getMetadata().getAnnotations().get(HamiKeys.BIND_PHASE)));

        // p2 is placed on the other GPU, but its Binding fails: lock and reservation are released.
        Pod p2 = pod("p2", 5000, 20);
        assertThat(filter(p2, "obs-a").get("NodeNames").toString()).isEqualTo("[\"obs-a\"]");
        api.fail("POST", "/pods/p2/binding$", 403, 1);
        assertThat(extender.bind(p2, "obs-a").get("Error").asString()).startsWith("binding to node obs-a failed");

        // p3 (in a namespace without quota) fits nowhere.
        Pod p3 = create(client, gpuPod("obs-free", "p3", 1, 50000, 10));
        JsonNode unschedulable = filter(p3, "obs-a", "obs-b", "obs-bad");
        assertThat(unschedulable.get("FailedNodes").toString()).isEqualTo(
                "{\"obs-a\":\"2/2 CardInsufficientMemory\",\"obs-b\":\"1/1 CardInsufficientMemory\"}");

        // p4 is placed on obs-b, whose lock a live pod holds until the bind's wait (2 s here) runs out.
        Pod holder = create(client, new PodBuilder().withNewMetadata().withName("holder").withNamespace(NS)
                .endMetadata().withNewSpec().addNewContainer().withName("c").withImage("busybox").endContainer()
                .endSpec().build());
        client.nodes().withName("obs-b").edit(n -> {
            n.getMetadata().getAnnotations().put(HamiKeys.NODE_LOCK,
                    NodeLockValue.heldBy(Instant.now(), NS, holder.getMetadata().getName()).format());
            return n;
        });
        Pod p4 = pod("p4", 1000, 10);
        assertThat(filter(p4, "obs-b").get("NodeNames").toString()).isEqualTo("[\"obs-b\"]");
        // The bind's budget also covers waiting for the filter's placement write; once it has landed, the whole
        // 2 s go to the lock, which is what the refused wait below measures.
        await().atMost(Duration.ofSeconds(10)).until(() -> get(client, p4).getMetadata().getAnnotations()
                .containsKey(HamiKeys.DEVICES_TO_ALLOCATE));
        assertThat(extender.bind(p4, "obs-b").get("Error").asString()).startsWith("node obs-b is locked by obs/holder");

        // p5 is placed on obs-b and not bound (yet): its reservation counts.
        Pod p5 = pod("p5", 2000, 25);
        assertThat(filter(p5, "obs-b").get("NodeNames").toString()).isEqualTo("[\"obs-b\"]");

        scrape = PrometheusScrape.of(managementPort);
    }

    private static void expect(String name, double value, String... labels) {
        assertThat(scrape.value(name, labels)).as("%s%s", name, List.of(labels)).hasValue(value);
    }

    @Test
    @Order(2)
    void hamisSeriesAgreeWithWhatTheVerbsDecided() {
        String a0 = gpu("obs-a", 0, 2);
        String a1 = gpu("obs-a", 1, 2);
        String b0 = gpu("obs-b", 0, 1);
        expect("hami_gpu_memory_limit_bytes", 40960 * MIB, "node", "obs-a", "device_uuid", a1, "device_index", "1",
                "device_type", MODEL, "zone", "vGPU");
        expect("hami_gpu_core_limit_ratio", 100, "node", "obs-b", "device_uuid", b0, "device_index", "0",
                "device_type", MODEL, "zone", "vGPU");
        expect("hami_gpu_memory_allocated_bytes", 3000 * MIB, "node", "obs-a", "device_uuid", a1, "device_index", "1",
                "device_cores", "100", "device_type", MODEL, "zone", "vGPU");
        expect("hami_gpu_memory_allocated_bytes", 0, "node", "obs-a", "device_uuid", a0, "device_index", "0",
                "device_cores", "100", "device_type", MODEL, "zone", "vGPU");
        expect("hami_gpu_memory_allocated_bytes", 2000 * MIB, "node", "obs-b", "device_uuid", b0, "device_index", "0",
                "device_cores", "100", "device_type", MODEL, "zone", "vGPU");
        expect("hami_gpu_core_allocated_ratio", 30, "node", "obs-a", "device_uuid", a1, "device_index", "1",
                "device_type", MODEL, "zone", "vGPU");
        expect("hami_gpu_shared_count", 1, "node", "obs-a", "device_uuid", a1, "device_index", "1",
                "device_type", MODEL, "zone", "vGPU");
        expect("hami_gpu_shared_count", 0, "node", "obs-a", "device_uuid", a0, "device_index", "0",
                "device_type", MODEL, "zone", "vGPU");
        expect("hami_node_gpu_overview", 2000 * MIB, "node", "obs-b", "device_uuid", b0, "device_index", "0",
                "device_cores", "100", "device_memory_limit", "40960", "device_type", MODEL, "zone", "vGPU");
        expect("hami_node_gpu_memory_allocated_ratio", 3000.0 / 40960, "node", "obs-a", "device_uuid", a1,
                "device_index", "1", "device_type", MODEL, "zone", "vGPU");
        assertThat(scrape.samples("hami_gpu_memory_limit_bytes")).hasSize(3);
        assertThat(scrape.family("hami_node_gpu_mig_instance_info")).isEmpty();

        assertThat(scrape.samples("hami_vgpu_memory_allocated_bytes")).hasSize(2);
        expect("hami_vgpu_memory_allocated_bytes", 3000 * MIB, "namespace", NS, "node", "obs-a", "pod", "p1",
                "container_index", "0", "device_uuid", a1, "zone", "vGPU");
        expect("hami_vgpu_memory_allocated_bytes", 2000 * MIB, "namespace", NS, "node", "obs-b", "pod", "p5",
                "container_index", "0", "device_uuid", b0, "zone", "vGPU");
        expect("hami_vgpu_core_allocated_ratio", 25, "namespace", NS, "node", "obs-b", "pod", "p5",
                "container_index", "0", "device_uuid", b0, "zone", "vGPU");

        assertThat(scrape.samples("hami_resource_quota_used")).hasSize(2);
        expect("hami_resource_quota_used", 5000, "namespace", NS, "quota_name", "nvidia.com/gpumem", "limit", "20000",
                "zone", "vGPU");
        expect("hami_resource_quota_used", 55, "namespace", NS, "quota_name", "nvidia.com/gpucores", "limit", "0",
                "zone", "vGPU");
        assertThat(scrape.samples("hami_resource_quota_limit")).hasSize(1);
        expect("hami_resource_quota_limit", 20000, "namespace", NS, "quota_name", "nvidia.com/gpumem", "zone", "vGPU");

        BuildInfo build = BuildInfo.read();
        assertThat(build.revision()).as("META-INF/build-info.properties of this build").isNotBlank();
        assertThat(scrape.samples("hami_build_info")).singleElement().satisfies(s -> {
            assertThat(s.labels().keySet()).containsExactly("build_date", "compiler", "go_version", "platform",
                    "revision", "version");
            assertThat(s.labels()).containsEntry("revision", build.revision())
                    .containsEntry("version", build.version());
            assertThat(s.value()).isEqualTo(1);
        });
    }

    @Test
    @Order(3)
    void theLegacySwitchAddsHamisV28NamesWithTheirOldLabels() {
        String a1 = gpu("obs-a", 1, 2);
        String b0 = gpu("obs-b", 0, 1);
        expect("GPUDeviceMemoryLimit", 40960 * MIB, "nodeid", "obs-a", "deviceuuid", a1, "deviceidx", "1",
                "devicetype", MODEL, "zone", "vGPU");
        expect("GPUDeviceMemoryAllocated", 3000 * MIB, "nodeid", "obs-a", "deviceuuid", a1, "deviceidx", "1",
                "devicecores", "100", "devicetype", MODEL, "zone", "vGPU");
        expect("GPUDeviceSharedNum", 1, "nodeid", "obs-a", "deviceuuid", a1, "deviceidx", "1", "devicetype", MODEL,
                "zone", "vGPU");
        expect("GPUDeviceCoreAllocated", 30, "nodeid", "obs-a", "deviceuuid", a1, "deviceidx", "1", "devicetype",
                MODEL, "zone", "vGPU");
        expect("GPUDeviceCoreLimit", 100, "nodeid", "obs-b", "deviceuuid", b0, "deviceidx", "0", "devicetype", MODEL,
                "zone", "vGPU");
        expect("nodeGPUOverview", 2000 * MIB, "nodeid", "obs-b", "deviceuuid", b0, "deviceidx", "0", "devicecores",
                "100", "devicememorylimit", "40960", "devicetype", MODEL, "zone", "vGPU");
        expect("nodeGPUMemoryPercentage", 3000.0 / 40960, "nodeid", "obs-a", "deviceuuid", a1, "deviceidx", "1",
                "zone", "vGPU");
        expect("vGPUMemoryAllocated", 2000 * MIB, "podnamespace", NS, "nodename", "obs-b", "podname", "p5",
                "containeridx", "0", "deviceuuid", b0, "zone", "vGPU");
        expect("vGPUCoreAllocated", 30, "podnamespace", NS, "nodename", "obs-a", "podname", "p1", "containeridx", "0",
                "deviceuuid", a1, "zone", "vGPU");
        expect("QuotaUsed", 5000, "quotanamespace", NS, "quotaName", "nvidia.com/gpumem", "limit", "20000",
                "zone", "vGPU");
    }

    @Test
    @Order(4)
    void ourSeriesCountEachOutcomeOnceAndAnUnschedulablePodIsNotASuccess() {
        expect("gpushare_filter_requests_total", 4, "outcome", "passed");
        expect("gpushare_filter_requests_total", 1, "outcome", "unschedulable");
        expect("gpushare_filter_requests_total", 0, "outcome", "failed");
        expect("gpushare_filter_duration_seconds_count", 1, "outcome", "unschedulable");
        expect("gpushare_filter_node_rejections_total", 2, "reason", "CardInsufficientMemory");
        expect("gpushare_filter_node_rejections_total", 1, "reason", "NodeRegistrationInvalid");
        expect("gpushare_filter_node_rejections_total", 0, "reason", "CardInsufficientCore");
        expect("gpushare_pending_pods", 1, "reason", "CardInsufficientMemory");
        assertThat(scrape.samples("gpushare_pending_pods")).hasSize(1);

        expect("gpushare_bind_requests_total", 1, "outcome", "bound");
        expect("gpushare_bind_requests_total", 2, "outcome", "failed");
        expect("gpushare_bind_duration_seconds_count", 2, "outcome", "failed");
        expect("gpushare_bind_failures_total", 1, "reason", "binding_failed");
        expect("gpushare_bind_failures_total", 1, "reason", "lock_timed_out");
        expect("gpushare_bind_failures_total", 0, "reason", "no_reservation");

        expect("gpushare_node_lock_wait_seconds_count", 2, "outcome", "acquired");
        expect("gpushare_node_lock_wait_seconds_count", 1, "outcome", "refused");
        assertThat(scrape.value("gpushare_node_lock_wait_seconds_sum", "outcome", "refused")).hasValueSatisfying(
                waited -> assertThat(waited).isGreaterThanOrEqualTo(2.0));
        expect("gpushare_node_lock_wait_seconds_bucket", 0, "outcome", "refused", "le", "1.0");
        expect("gpushare_node_lock_wait_timeouts_total", 1);
        expect("gpushare_node_lock_heals_total", 0, "kind", "dangling");

        expect("gpushare_ledger_reservations_total", 4, "event", "made");
        expect("gpushare_ledger_reservations_total", 2, "event", "rolled_back");
        expect("gpushare_ledger_reservations_total", 0, "event", "expired");
        expect("gpushare_node_registration_invalid", 1, "node", "obs-bad");
        assertThat(scrape.samples("gpushare_node_registration_invalid")).hasSize(1);

        expect("gpushare_ledger_rebuild_duration_seconds_count", 1, "trigger", "sync");
        expect("gpushare_ledger_rebuild_duration_seconds_count", 1, "trigger", "leadership");
        expect("gpushare_ledger_rebuild_lock_held_seconds_count", 2);
        expect("gpushare_ledger_repairs_total", 0, "kind", "pods");

        // Our pod writes (placements, bind-phase, the node label) came back through the pod informer.
        await().atMost(Duration.ofSeconds(10)).until(() -> PrometheusScrape.of(managementPort)
                .value("gpushare_informer_lag_seconds_count").orElse(0.0) >= 1);
        PrometheusScrape.Family lag = PrometheusScrape.of(managementPort).family("gpushare_informer_lag_seconds")
                .orElseThrow();
        assertThat(lag.type()).isEqualTo("histogram");
        assertThat(lag.help()).isEqualTo("Time from the API server answering a pod write of this scheduler to the pod"
                + " informer delivering that resourceVersion");
        assertThat(lag.samples()).extracting(PrometheusScrape.Sample::name).containsOnly(
                "gpushare_informer_lag_seconds_bucket", "gpushare_informer_lag_seconds_count",
                "gpushare_informer_lag_seconds_sum");
        assertThat(lag.samples()).filteredOn(sample -> sample.name().endsWith("_bucket"))
                .extracting(sample -> sample.labels().get("le")).containsExactly("0.001", "0.002", "0.005", "0.01",
                        "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.5", "5.0", "10.0", "20.0", "30.0", "+Inf");
        assertThat(lag.samples()).filteredOn(sample -> !sample.name().endsWith("_bucket"))
                .allSatisfy(sample -> assertThat(sample.labels()).isEmpty());

        expect("gpushare_leader", 1);
        expect("gpushare_leader_synced", 1);
        expect("gpushare_leader_term", 1);
        expect("gpushare_leadership_changes_total", 1, "change", "gained");
        expect("gpushare_events_dropped_total", 0);
    }

    @Test
    @Order(5)
    void everyFamilyHasHelpAndNoCounterOrHistogramOfOursCarriesAnUnboundedLabel() {
        assertThat(scrape.families().values()).filteredOn(f -> f.help() == null || f.help().isBlank())
                .extracting(PrometheusScrape.Family::name).isEmpty();
        List<String> unbounded = new ArrayList<>();
        for (PrometheusScrape.Family family : scrape.families().values()) {
            if (!family.name().startsWith("gpushare_")) {
                continue;
            }
            for (PrometheusScrape.Sample sample : family.samples()) {
                for (String label : sample.labels().keySet()) {
                    // node: bounded by the cluster, and only on a gauge computed from the registry at scrape time
                    boolean nodeGauge = label.equals("node") && "gauge".equals(family.type());
                    if (!BOUNDED_LABELS.contains(label) && !nodeGauge) {
                        unbounded.add(family.name() + "{" + label + "}");
                    }
                }
            }
        }
        assertThat(unbounded).isEmpty();
        // Pod names appear only where HAMi puts them: its per-container series.
        Set<String> withPod = new HashSet<>();
        scrape.families().values().forEach(f -> f.samples().forEach(s -> {
            if (s.labels().containsKey("pod") || s.labels().containsKey("podname")) {
                withPod.add(f.name());
            }
        }));
        assertThat(withPod).containsExactlyInAnyOrder("hami_vgpu_memory_allocated_bytes",
                "hami_vgpu_core_allocated_ratio", "vGPUMemoryAllocated", "vGPUCoreAllocated");
    }

    @Test
    @Order(6)
    void everyDashboardQueryNamesSeriesAndLabelsThisServiceExports() throws Exception {
        Path dashboard = Path.of("..", "charts", "hami", "dashboards", "gpushare-scheduler.json");
        Map<String, Set<String>> labelsBySample = new TreeMap<>();
        scrape.families().values().forEach(f -> f.samples().forEach(s -> labelsBySample
                .computeIfAbsent(s.name(), n -> new HashSet<>()).addAll(s.labels().keySet())));
        List<DashboardQueries.Query> queries = DashboardQueries.of(dashboard);
        assertThat(queries).hasSizeGreaterThan(20);
        List<String> problems = new ArrayList<>();
        for (DashboardQueries.Query query : queries) {
            Set<String> known = new HashSet<>(Set.of("instance", "job"));  // added by Prometheus at scrape time
            for (String metric : query.metrics()) {
                if (!labelsBySample.containsKey(metric)) {
                    problems.add(query.where() + ": no series " + metric);
                } else {
                    known.addAll(labelsBySample.get(metric));
                }
            }
            for (String label : query.labels()) {
                if (!known.contains(label)) {
                    problems.add(query.where() + ": no label " + label + " on " + query.metrics());
                }
            }
        }
        assertThat(problems).isEmpty();
    }
}
