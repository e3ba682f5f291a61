package dev.gpushare.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpushare.common.annotation.HamiKeys;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code smoke-test} with a hand-written stand-in for scheduler and device plugin: it places, binds and allocates
 * (or fails at the stage a test names) each pod of {@code hami-scheduler} it sees.
 */
class SmokeTestTest {

    private OpsApi api;
    private SharedIndexInformer<Pod> standIn;
    private final List<String> seen = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        api = OpsApi.start("v1.30.2");
    }

    @AfterEach
    void stop() {
        if (standIn != null) {
            standIn.close();
        }
        api.close();
    }

    /** Plays filter, bind and the device plugin for new pods, writing {@code bindPhase} at the end. */
    private void standIn(String bindPhase) {
        standIn = api.client.pods().inNamespace("smoke").inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                seen.add(pod.getMetadata().getName() + " " + pod.getSpec().getSchedulerName() + " "
                        + new TreeMap<>(pod.getSpec().getContainers().get(0).getResources().getLimits()));
                patch(pod, "{\"metadata\":{\"labels\":{\"hami.io/vgpu-node\":\"gpu-1\"},\"annotations\":{"
                        + "\"hami.io/vgpu-node\":\"gpu-1\",\"hami.io/vgpu-time\":\"1796126400\","
                        + "\"hami.io/vgpu-devices-to-allocate\":\"GPU-gpu-1-0,NVIDIA,2048,20:;\","
                        + "\"hami.io/vgpu-devices-allocated\":\"GPU-gpu-1-0,NVIDIA,2048,20:;\"}}}");
                patch(pod, "{\"spec\":{\"nodeName\":\"gpu-1\"}}");
                patch(pod, "{\"metadata\":{\"annotations\":{\"hami.io/bind-phase\":\"" + bindPhase + "\"}}}");
            }

            @Override
            public void onUpdate(Pod before, Pod after) {
            }

            @Override
            public void onDelete(Pod pod, boolean unknown) {
            }
        });
    }

    private void patch(Pod pod, String json) {
        api.client.pods().inNamespace("smoke").withName(pod.getMetadata().getName())
                .patch(PatchContext.of(PatchType.JSON_MERGE), json);
    }

    @Test
    void aPodThatIsPlacedBoundAndAllocatedPassesAndIsDeleted() {
        standIn("success");

        OpsRun run = OpsRun.of(api.client, Clusters.CLOCK, "smoke-test", "--namespace", "smoke", "--gpu-memory",
                "2048", "--gpu-cores", "20");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.lines()).containsExactly(
                "smoke-test: created pod smoke/gpushare-smoke-1796126400 (1 GPU, 2048 MiB, 20% cores, schedulerName "
                        + "hami-scheduler)",
                "smoke-test: bound to node gpu-1 with GPU-gpu-1-0 2048MiB 20%",
                "smoke-test: PASS: hami.io/bind-phase: success",
                "smoke-test: deleted pod smoke/gpushare-smoke-1796126400");
        assertThat(seen).containsExactly("gpushare-smoke-1796126400 hami-scheduler {nvidia.com/gpu=1, "
                + "nvidia.com/gpucores=20, nvidia.com/gpumem=2048}");
        assertThat(api.client.pods().inNamespace("smoke").list().getItems()).isEmpty();
    }

    @Test
    void aFailedAllocationIsReportedAtOnce() {
        standIn("failed");

        OpsRun run = OpsRun.of(api.client, Clusters.CLOCK, "smoke-test", "--namespace", "smoke");

        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.lines()).containsExactly(
                "smoke-test: created pod smoke/gpushare-smoke-1796126400 (1 GPU, 1024 MiB, 10% cores, schedulerName "
                        + "hami-scheduler)",
                "smoke-test: FAIL: the device plugin on node gpu-1 failed to allocate (hami.io/bind-phase: failed)",
                "smoke-test: deleted pod smoke/gpushare-smoke-1796126400");
        assertThat(api.client.pods().inNamespace("smoke").list().getItems()).isEmpty();
    }

    @Test
    void aPodNobodySchedulesStopsBeforeTheFilterAndIsDeleted() {
        OpsRun run = OpsRun.of(api.client, Clusters.CLOCK, "smoke-test", "--namespace", "smoke", "--timeout", "1s",
                "--scheduler-name", "gpushare-canary");

        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.lines()).containsExactly(
                "smoke-test: created pod smoke/gpushare-smoke-1796126400 (1 GPU, 1024 MiB, 10% cores, schedulerName "
                        + "gpushare-canary)",
                "smoke-test: FAIL after 1s: not placed by /filter (no " + HamiKeys.VGPU_NODE + "); schedulerName is "
                        + "gpushare-canary, expected gpushare-canary",
                "smoke-test: deleted pod smoke/gpushare-smoke-1796126400");
        assertThat(api.client.pods().inNamespace("smoke").list().getItems()).isEmpty();
    }

    @Test
    void namespaceIsRequiredAndCoresAreBounded() {
        OpsRun missing = OpsRun.of(api.client, Clusters.CLOCK, "smoke-test");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).startsWith("smoke-test: smoke-test needs --namespace\n");

        OpsRun cores = OpsRun.of(api.client, Clusters.CLOCK, "smoke-test", "--namespace", "smoke", "--gpu-cores", "150");
        assertThat(cores.exitCode()).isEqualTo(2);
        assertThat(cores.err()).startsWith("smoke-test: --gpu-cores: at most 100, got 150\n");
        assertThat(api.client.pods().inNamespace("smoke").list().getItems()).as("nothing created").isEmpty();
    }
}
