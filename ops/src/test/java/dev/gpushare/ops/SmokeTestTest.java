package dev.gpushare.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpushare.common.annotation.HamiKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code smoke-test} with a hand-written stand-in for scheduler and device plugin ({@link StandIn}), or none.
 */
class SmokeTestTest {

    private OpsApi api;
    private StandIn standIn;

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

    private void standIn(String bindPhase) {
        standIn = new StandIn(api.client, bindPhase);
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
        assertThat(standIn.seen).containsExactly("gpushare-smoke-1796126400 hami-scheduler {nvidia.com/gpu=1, "
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
