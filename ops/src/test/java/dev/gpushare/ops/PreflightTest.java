package dev.gpushare.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code preflight} against prepared clusters: the exact lines and the exit code of each. */
class PreflightTest {

    private static final List<String> HEALTHY = List.of(
            "PASS kubernetes-version: v1.30.2: kube-scheduler reads the extender from kubescheduler.config.k8s.io/v1",
            "PASS kube-scheduler: sidecar registry.k8s.io/kube-scheduler:v1.30.2 with API server v1.30.2: within the "
                    + "version skew policy",
            "PASS scheduler: Deployment kube-system/hami-scheduler (chart hami-0.1.0, app 0.1.0): images "
                    + "kube-scheduler=registry.k8s.io/kube-scheduler:v1.30.2, "
                    + "vgpu-scheduler-extender=docker.io/gpushare/scheduler:0.1.0",
            "PASS scheduler-pods: 1/1 scheduler pods Ready",
            "PASS device-plugin: DaemonSet kube-system/hami-device-plugin: images "
                    + "device-plugin=docker.io/projecthami/hami:v2.8.3",
            "PASS device-plugin-pods: 2/2 device-plugin pods Ready",
            "PASS allocation-encoding: scheduler writes v2.8 (default), as device plugin v2.8 reads",
            "PASS gpu-nodes: 2 GPU nodes Ready and registered, 4 GPUs",
            "PASS webhook: webhook vgpu.hami.io: caBundle verifies the serving certificate of Secret "
                    + "kube-system/hami-scheduler-tls",
            "PASS certificate: serving certificate expires 2027-12-01T12:00:00Z (in 365 days)",
            "PASS node-locks: 0 node locks held, none stale, malformed or orphaned",
            "PASS allocations: 3 pods hold GPUs, every allocation annotation decodable",
            "PASS placement-seals: every allocation carries a placement seal",
            "PASS allocating-pods: no pod stuck allocating (0 in flight)",
            "PASS scheduler-names: every GPU pod uses hami-scheduler",
            "PASS driver-upgrade: no node in a GPU driver upgrade");

    private OpsApi api;

    @BeforeEach
    void start() {
        api = OpsApi.start("v1.30.2");
        Clusters.healthy(api.client);
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private OpsRun preflight(String... extra) {
        List<String> args = new ArrayList<>(List.of("preflight"));
        args.addAll(List.of(extra));
        return OpsRun.of(api.client, Clusters.CLOCK, args.toArray(String[]::new));
    }

    /** {@link #HEALTHY} with line {@code index} replaced by {@code replacement} (several lines allowed). */
    private static List<String> healthyWith(int index, String... replacement) {
        List<String> lines = new ArrayList<>(HEALTHY);
        lines.remove(index);
        lines.addAll(index, List.of(replacement));
        return lines;
    }

    @Test
    void healthyClusterPassesEveryCheckAndExitsZero() {
        OpsRun run = preflight();

        assertThat(run.exitCode()).isZero();
        List<String> expected = new ArrayList<>(HEALTHY);
        expected.add("preflight: 16 pass, 0 warn, 0 fail");
        assertThat(run.lines()).containsExactlyElementsOf(expected);
        assertThat(run.err()).isEmpty();
    }

    @Test
    void aStaleLockIsAWarningNamingOwnerAgeAndExpiry() {
        Clusters.staleLock(api.client);

        OpsRun run = preflight();

        assertThat(run.exitCode()).isEqualTo(4);
        List<String> expected = healthyWith(10, "WARN node-locks: node gpu-1: stale lock "
                + "'2026-12-01T11:50:00Z,default,train-1' held by default/train-1 for 10m0s, longer than the 5m0s "
                + "expiry; the next bind to the node breaks it");
        expected.add("preflight: 15 pass, 1 warn, 0 fail");
        assertThat(run.lines()).containsExactlyElementsOf(expected);
    }

    @Test
    void aLongerExpiryMakesTheSameLockFresh() {
        Clusters.staleLock(api.client);

        OpsRun run = preflight("--node-lock-expire", "15m");

        assertThat(run.exitCode()).isZero();
        assertThat(run.lines()).contains("PASS node-locks: 1 node locks held, none stale, malformed or orphaned");
    }

    @Test
    void malformedAndOrphanedLocksAreReportedPerNode() {
        Clusters.annotateNode(api.client, "gpu-1", "hami.io/mutex.lock", "yesterday,default");
        Clusters.annotateNode(api.client, "gpu-2", "hami.io/mutex.lock", "2026-12-01T11:59:00Z,default,gone-0");

        OpsRun run = preflight();

        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.lines()).containsSequence(
                "FAIL node-locks: node gpu-1: malformed lock annotation: expected 3 parts, got 2 from "
                        + "\"yesterday,default\"; HAMi's scheduler never clears it, remove hami.io/mutex.lock by hand",
                "WARN node-locks: node gpu-2: orphaned lock '2026-12-01T11:59:00Z,default,gone-0': pod default/gone-0"
                        + " no longer exists; the next bind to the node breaks it");
    }

    @Test
    void anUndecodableAllocationFailsNamingPodAndField() {
        Clusters.undecodableAnnotation(api.client);

        OpsRun run = preflight();

        assertThat(run.exitCode()).isEqualTo(3);
        List<String> expected = healthyWith(11, "FAIL allocations: pod default/broken: hami.io/vgpu-devices-allocated"
                + " undecodable: allocation segment 0, device 0: USEDMEM: expected a decimal int32, got \"1000MiB\"");
        expected.add("preflight: 15 pass, 0 warn, 1 fail");
        assertThat(run.lines()).containsExactlyElementsOf(expected);
    }

    @Test
    void anUnsealedAllocationOnAPodCreatedAfterTheCutOffIsAWarningNamingItAndTheCutOff() {
        Clusters.unsealedAllocations(api.client);

        OpsRun run = preflight();

        assertThat(run.exitCode()).as("a warning asks for attention").isEqualTo(4);
        assertThat(run.lines()).contains("PASS allocations: 5 pods hold GPUs, every allocation annotation decodable",
                "WARN placement-seals: pod default/forged holds an allocation on node gpu-2 without a placement seal"
                        + " and was created after the cut-off 2026-12-01T00:00:00Z: the scheduler does not count it, so"
                        + " its GPUs can be given to another pod")
                .as("the pod created before the cut-off is counted").noneMatch(line -> line.contains("hami-old"));
        assertThat(run.lines()).last().isEqualTo("preflight: 15 pass, 1 warn, 0 fail");
    }

    @Test
    void beforeTheSwitchUnsealedAllocationsAreExpectedAndCounted() {
        Clusters.unsealedAllocations(api.client);
        api.client.apps().deployments().inNamespace("kube-system").withName("hami-scheduler").edit(d -> {
            d.getSpec().getTemplate().getSpec().getContainers().get(1).getEnv()
                    .removeIf(e -> e.getName().startsWith("HAMI_LEDGER_"));
            return d;
        });

        OpsRun run = preflight();

        assertThat(run.lines()).contains("PASS placement-seals: 2 pods hold allocations without a placement seal (the"
                + " running scheduler writes none); the chart's first install counts them: it sets"
                + " scheduler.ledger.trustUnsealedBefore to that moment");
        assertThat(run.lines()).last().isEqualTo("preflight: 16 pass, 0 warn, 0 fail");
    }

    @Test
    void aNodeMidDriverUpgradeWarnsForTheNodeAndEveryPodHoldingGpusThere() {
        Clusters.driverUpgrade(api.client);

        OpsRun run = preflight();

        assertThat(run.exitCode()).isEqualTo(4);
        List<String> expected = healthyWith(15,
                "WARN driver-upgrade: node gpu-2 is in driver-upgrade state pod-deletion-required: it gets no new GPU"
                        + " pods until upgrade-done",
                "WARN driver-upgrade: pod default/infer-0 holds GPUs on node gpu-2 (driver-upgrade state "
                        + "pod-deletion-required)");
        expected.add("preflight: 15 pass, 2 warn, 0 fail");
        assertThat(run.lines()).containsExactlyElementsOf(expected);
    }

    @Test
    void aMismatchedCaBundleFails() {
        Clusters.mismatchedCaBundle(api.client);

        OpsRun run = preflight();

        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.lines()).contains("FAIL webhook: webhook vgpu.hami.io: caBundle (CN=gpushare-webhook-ca) does "
                + "not verify the serving certificate of Secret kube-system/hami-scheduler-tls: the API server "
                + "refuses the TLS handshake");
        assertThat(run.lines()).last().isEqualTo("preflight: 15 pass, 0 warn, 1 fail");
    }

    @Test
    void jsonOutputCarriesEveryCheckAndTheResult() throws Exception {
        Clusters.driverUpgrade(api.client);

        OpsRun run = preflight("--output", "json");

        assertThat(run.exitCode()).isEqualTo(4);
        JsonNode document = JsonMapper.builder().build().readTree(run.out());
        assertThat(document.get("result").asString()).isEqualTo("warn");
        assertThat(document.get("checks")).hasSize(17);
        JsonNode upgrade = document.get("checks").get(15);
        assertThat(upgrade.get("check").asString()).isEqualTo("driver-upgrade");
        assertThat(upgrade.get("status").asString()).isEqualTo("warn");
        assertThat(upgrade.get("message").asString()).isEqualTo("node gpu-2 is in driver-upgrade state "
                + "pod-deletion-required: it gets no new GPU pods until upgrade-done");
    }

    @Test
    void aMissingReleaseFailsAndNamesTheFlag() {
        OpsRun run = preflight("--release", "other");

        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.lines()).contains(
                "FAIL scheduler: Deployment kube-system/other-hami-scheduler not found (another release name? use "
                        + "--release)",
                "FAIL device-plugin: DaemonSet kube-system/other-hami-device-plugin not found (another release name? use "
                        + "--release)",
                "FAIL webhook: MutatingWebhookConfiguration other-hami-webhook not found: GPU pods are not mutated and keep"
                        + " default-scheduler");
    }

    @Test
    void aV29EncodingWithAV28DevicePluginFails() {
        api.client.apps().deployments().inNamespace(Clusters.NS).withName("hami-scheduler").edit(d -> {
            d.getSpec().getTemplate().getSpec().getContainers().get(1).setArgs(
                    List.of("--hami.compat.allocation-encoding=v2.9"));
            return d;
        });

        OpsRun run = preflight();

        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.lines()).contains("FAIL allocation-encoding: scheduler writes v2.9 (argument of container "
                + "vgpu-scheduler-extender) but device plugin v2.8 reads v2.8: it would hand init-container segments "
                + "to regular containers");
    }

    @Test
    void aKubeSchedulerSidecarNewerThanTheApiServerFails() {
        api.client.apps().deployments().inNamespace(Clusters.NS).withName("hami-scheduler").edit(d -> {
            d.getSpec().getTemplate().getSpec().getContainers().get(0)
                    .setImage("registry.k8s.io/kube-scheduler:v1.31.0");
            return d;
        });

        OpsRun run = preflight();

        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.lines().get(1)).isEqualTo("FAIL kube-scheduler: sidecar registry.k8s.io/kube-scheduler:v1.31.0"
                + " with API server v1.30.2: kube-scheduler must not be newer than the API server");
    }

    @Test
    void usageErrorsExitTwoAndHelpExitsZero() {
        OpsRun bad = preflight("--output", "yaml");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).startsWith("preflight: --output: expected one of json, text, got 'yaml'\n");

        OpsRun help = preflight("--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).startsWith("usage:\n  preflight [--output text|json]");
    }
}
