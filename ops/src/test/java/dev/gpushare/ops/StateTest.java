package dev.gpushare.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.ops.state.StateDocument;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code state export}, {@code diff} and {@code restore} on the healthy prepared cluster. */
class StateTest {

    @TempDir
    Path dir;

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

    private Path export(String file) throws IOException {
        OpsRun run = OpsRun.of(api.client, Clusters.CLOCK, "state", "export");
        assertThat(run.exitCode()).as(run.err()).isZero();
        Path path = dir.resolve(file);
        Files.writeString(path, run.out(), StandardCharsets.UTF_8);
        return path;
    }

    private OpsRun run(String... args) {
        return OpsRun.of(api.client, Clusters.CLOCK, args);
    }

    /** What an accident or a bad tool does: every scheduler annotation and the node label removed. */
    private void strip(String pod) {
        api.client.pods().inNamespace("default").withName(pod).edit(p -> {
            GpuPods.SCHEDULER_ANNOTATIONS.forEach(p.getMetadata().getAnnotations()::remove);
            p.getMetadata().getLabels().remove(HamiKeys.VGPU_NODE);
            return p;
        });
    }

    private Map<String, String> annotations(String pod) {
        return api.client.pods().inNamespace("default").withName(pod).get().getMetadata().getAnnotations();
    }

    @Test
    void exportListsDevicesAllocationsLocksLeaseAndEncoding() throws IOException {
        Clusters.staleLock(api.client);

        StateDocument document = Json.read(Files.readString(export("state.json")), StateDocument.class);

        assertThat(document.format()).isEqualTo("gpushare-state/v1");
        assertThat(document.exportedAt()).isEqualTo("2026-12-01T12:00:00Z");
        assertThat(document.allocationEncoding()).isEqualTo("v2.8");
        assertThat(document.lease()).isEqualTo(new StateDocument.LeaseHolder("kube-system", "hami-scheduler",
                "hami-scheduler-7d9f-abcde", "2026-12-01T11:59:57Z"));
        assertThat(document.devices()).extracting(d -> d.node() + "/" + d.uuid() + " " + d.memory() + " " + d.count())
                .containsExactly("gpu-1/GPU-gpu-1-0 40960 10", "gpu-1/GPU-gpu-1-1 40960 10",
                        "gpu-2/GPU-gpu-2-0 40960 10", "gpu-2/GPU-gpu-2-1 40960 10");
        assertThat(document.allocations()).containsExactly(
                new StateDocument.Allocation("default", "infer-0", "uid-infer-0", "gpu-2", 0, "main", "GPU-gpu-2-1",
                        "NVIDIA", 10000, 50),
                new StateDocument.Allocation("default", "train-0", "uid-train-0", "gpu-1", 0, "main", "GPU-gpu-1-0",
                        "NVIDIA", 3000, 30),
                new StateDocument.Allocation("default", "train-1", "uid-train-1", "gpu-1", 0, "main", "GPU-gpu-1-0",
                        "NVIDIA", 3000, 30));
        assertThat(document.locks()).containsExactly(new StateDocument.NodeLock("gpu-1",
                "2026-12-01T11:50:00Z,default,train-1", "default/train-1", "2026-12-01T11:50:00Z"));
        assertThat(document.pods()).extracting(StateDocument.PodState::key)
                .as("the pod without GPUs is not part of the state").containsExactly("default/infer-0",
                        "default/train-0", "default/train-1");
        assertThat(document.problems()).isEmpty();
    }

    @Test
    void exportStripRestoreThenDiffReportsNoDifference() throws IOException {
        Path before = export("before.json");
        strip("train-0");
        strip("infer-0");

        OpsRun dryRun = run("state", "restore", before.toString());

        assertThat(dryRun.exitCode()).isEqualTo(4);
        String keys = "gpushare.dev/placement-seal, hami.io/bind-phase, hami.io/bind-time, "
                + "hami.io/vgpu-devices-allocated, hami.io/vgpu-devices-to-allocate, hami.io/vgpu-node, hami.io/vgpu-time"
                + " and label hami.io/vgpu-node";
        assertThat(dryRun.lines()).containsExactly(
                "restore  default/infer-0: " + keys + " (dry run)",
                "restore  default/train-0: " + keys + " (dry run)",
                "ok       default/train-1: annotations as exported",
                "2 pods to restore: rerun with --apply to write");
        assertThat(annotations("train-0")).doesNotContainKey(HamiKeys.DEVICES_ALLOCATED);

        OpsRun applied = run("state", "restore", before.toString(), "--apply");

        assertThat(applied.exitCode()).isZero();
        assertThat(applied.lines()).containsExactly(
                "restore  default/infer-0: " + keys,
                "restore  default/train-0: " + keys,
                "ok       default/train-1: annotations as exported");
        assertThat(annotations("train-0")).containsEntry(HamiKeys.DEVICES_ALLOCATED, "GPU-gpu-1-0,NVIDIA,3000,30:;")
                .containsEntry(HamiKeys.BIND_PHASE, "success")
                .as("the seal comes back with the placement: same pod UID, so it verifies again")
                .containsEntry(HamiKeys.PLACEMENT_SEAL, Clusters.seal("train-0"));
        Pod restored = api.client.pods().inNamespace("default").withName("infer-0").get();
        assertThat(restored.getMetadata().getLabels()).containsEntry(HamiKeys.VGPU_NODE, "gpu-2");

        OpsRun diff = run("state", "diff", before.toString(), export("after.json").toString());

        assertThat(diff.exitCode()).isZero();
        assertThat(diff.lines()).containsExactly("no difference in allocations: 3 GPU allocations of 3 pods as before");
        assertThat(run("state", "restore", before.toString()).exitCode()).as("nothing left to restore").isZero();
    }

    @Test
    void diffFailsOnALostAllocationAndOnAChangedOne() throws IOException {
        Path before = export("before.json");
        strip("train-0");
        api.client.pods().inNamespace("default").withName("infer-0").edit(p -> {
            p.getMetadata().getAnnotations().put(HamiKeys.DEVICES_ALLOCATED, "GPU-gpu-2-0,NVIDIA,10000,50:;");
            return p;
        });
        api.client.pods().inNamespace("default").withName("train-1").delete();

        OpsRun diff = run("state", "diff", before.toString(), export("after.json").toString());

        assertThat(diff.exitCode()).isEqualTo(3);
        assertThat(diff.lines()).containsExactly(
                "changed  default/infer-0 (uid uid-infer-0): gpu-2/GPU-gpu-2-1 container=main 10000MiB 50% -> "
                        + "gpu-2/GPU-gpu-2-0 container=main 10000MiB 50%",
                "lost     default/train-0 (uid uid-train-0): the pod still exists but lost gpu-1/GPU-gpu-1-0 "
                        + "container=main 3000MiB 30%",
                "gone     default/train-1 (uid uid-train-1): the pod is gone; it held gpu-1/GPU-gpu-1-0 "
                        + "container=main 3000MiB 30%");
    }

    @Test
    void aGonePodAndANewLockAreReportedButDoNotFailTheDiff() throws IOException {
        Path before = export("before.json");
        api.client.pods().inNamespace("default").withName("train-1").delete();
        Clusters.staleLock(api.client);

        OpsRun diff = run("state", "diff", before.toString(), export("after.json").toString());

        assertThat(diff.exitCode()).isZero();
        assertThat(diff.lines()).containsExactly(
                "no difference in allocations: 2 GPU allocations of 2 pods as before",
                "gone     default/train-1 (uid uid-train-1): the pod is gone; it held gpu-1/GPU-gpu-1-0 "
                        + "container=main 3000MiB 30%",
                "lock     node gpu-1: unlocked -> 2026-12-01T11:50:00Z,default,train-1");
    }

    @Test
    void restoreRefusesAPodWhoseAnnotationsDifferUnlessForced() throws IOException {
        Path before = export("before.json");
        api.client.pods().inNamespace("default").withName("train-0").edit(p -> {
            p.getMetadata().getAnnotations().put(HamiKeys.DEVICES_ALLOCATED, "GPU-gpu-1-1,NVIDIA,3000,30:;");
            p.getMetadata().getAnnotations().remove(HamiKeys.BIND_TIME);
            return p;
        });

        OpsRun refused = run("state", "restore", before.toString(), "--apply");

        assertThat(refused.exitCode()).isEqualTo(3);
        assertThat(refused.lines()).contains("refuse   default/train-0: hami.io/vgpu-devices-allocated is "
                + "'GPU-gpu-1-1,NVIDIA,3000,30:;', exported 'GPU-gpu-1-0,NVIDIA,3000,30:;'; rerun with --force to "
                + "overwrite");
        assertThat(annotations("train-0")).containsEntry(HamiKeys.DEVICES_ALLOCATED, "GPU-gpu-1-1,NVIDIA,3000,30:;")
                .as("a refused pod is not touched at all").doesNotContainKey(HamiKeys.BIND_TIME);

        OpsRun forced = run("state", "restore", before.toString(), "--apply", "--force");

        assertThat(forced.exitCode()).isZero();
        assertThat(forced.lines()).contains("restore  default/train-0: gpushare.dev/placement-seal, hami.io/bind-phase,"
                + " hami.io/bind-time, hami.io/vgpu-devices-allocated, hami.io/vgpu-devices-to-allocate,"
                + " hami.io/vgpu-node, hami.io/vgpu-time and label hami.io/vgpu-node (forced over differing values)");
        assertThat(annotations("train-0")).containsEntry(HamiKeys.DEVICES_ALLOCATED, "GPU-gpu-1-0,NVIDIA,3000,30:;")
                .containsEntry(HamiKeys.BIND_TIME, "1796126001");
    }

    @Test
    void restoreSkipsARecreatedPod() throws IOException {
        Path before = export("before.json");
        api.client.pods().inNamespace("default").withName("train-0").delete();
        api.client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("train-0")
                .withNamespace("default").addToAnnotations(OpsApi.PINNED_UID, "uid-train-0-new").endMetadata().withNewSpec()
                .addNewContainer().withName("main").withImage("cuda").endContainer().endSpec().build()).create();

        OpsRun run = run("state", "restore", before.toString(), "--apply");

        assertThat(run.exitCode()).isZero();
        assertThat(run.lines()).contains("skip     default/train-0: recreated (uid uid-train-0-new, exported "
                + "uid-train-0)");
        assertThat(annotations("train-0")).containsOnlyKeys(OpsApi.PINNED_UID);
    }

    @Test
    void badInputIsAUsageError() throws IOException {
        Path notState = dir.resolve("values.yaml");
        Files.writeString(notState, "{\"format\":\"helm\"}");

        OpsRun run = run("state", "diff", notState.toString(), notState.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("state: " + notState + " is not a state export: format 'helm', expected "
                + "'gpushare-state/v1'\n");
        assertThat(run("state", "diff", "only-one.json").err()).startsWith(
                "state: state diff needs two files, BEFORE and AFTER\n");
        assertThat(run("state", "restore", dir.resolve("missing.json").toString()).exitCode()).isEqualTo(2);
        assertThat(List.of(run("state", "import").err().split("\n")).get(0))
                .isEqualTo("state: unknown state subcommand 'import' (expected export, diff or restore)");
    }
}
