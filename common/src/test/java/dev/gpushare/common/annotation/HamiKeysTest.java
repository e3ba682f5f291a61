package dev.gpushare.common.annotation;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The keys are the wire contract with HAMi's node components: a renamed constant value breaks clusters. */
class HamiKeysTest {

    @Test
    void keysAreHamis() {
        assertThat(HamiKeys.NODE_NVIDIA_REGISTER).isEqualTo("hami.io/node-nvidia-register");
        assertThat(HamiKeys.NODE_NVIDIA_SCORE).isEqualTo("hami.io/node-nvidia-score");
        assertThat(HamiKeys.NODE_HANDSHAKE).isEqualTo("hami.io/node-handshake");
        assertThat(HamiKeys.NODE_LOCK).isEqualTo("hami.io/mutex.lock");
        assertThat(HamiKeys.VGPU_NODE).isEqualTo("hami.io/vgpu-node");
        assertThat(HamiKeys.VGPU_TIME).isEqualTo("hami.io/vgpu-time");
        assertThat(HamiKeys.DEVICES_TO_ALLOCATE).isEqualTo("hami.io/vgpu-devices-to-allocate");
        assertThat(HamiKeys.DEVICES_ALLOCATED).isEqualTo("hami.io/vgpu-devices-allocated");
        assertThat(HamiKeys.BIND_PHASE).isEqualTo("hami.io/bind-phase");
        assertThat(HamiKeys.BIND_TIME).isEqualTo("hami.io/bind-time");
        assertThat(HamiKeys.NODE_SCHEDULER_POLICY).isEqualTo("hami.io/node-scheduler-policy");
        assertThat(HamiKeys.GPU_SCHEDULER_POLICY).isEqualTo("hami.io/gpu-scheduler-policy");
        assertThat(HamiKeys.USE_GPU_TYPE).isEqualTo("nvidia.com/use-gputype");
        assertThat(HamiKeys.NOUSE_GPU_TYPE).isEqualTo("nvidia.com/nouse-gputype");
        assertThat(HamiKeys.USE_GPU_UUID).isEqualTo("nvidia.com/use-gpuuuid");
        assertThat(HamiKeys.NOUSE_GPU_UUID).isEqualTo("nvidia.com/nouse-gpuuuid");
        assertThat(HamiKeys.NUMA_BIND).isEqualTo("nvidia.com/numa-bind");
        assertThat(HamiKeys.VGPU_MODE).isEqualTo("nvidia.com/vgpu-mode");
        assertThat(HamiKeys.WEBHOOK).isEqualTo("hami.io/webhook");
        assertThat(HamiKeys.SCHEDULER_ROLE).isEqualTo("hami.io/scheduler-role");
        assertThat(HamiKeys.SCHEDULER_TERM).isEqualTo("hami.io/scheduler-term");
    }

    @Test
    void bindPhasesReadExactValuesOnly() {
        assertThat(BindPhase.fromValue("allocating")).contains(BindPhase.ALLOCATING);
        assertThat(BindPhase.fromValue("success")).contains(BindPhase.SUCCESS);
        assertThat(BindPhase.fromValue("failed")).contains(BindPhase.FAILED);
        assertThat(BindPhase.fromValue("Failed")).isEmpty();
    }
}
