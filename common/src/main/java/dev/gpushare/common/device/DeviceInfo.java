package dev.gpushare.common.device;

import java.util.Objects;

/**
 * One physical GPU as a device plugin registers it on its node ({@code hami.io/node-nvidia-register}).
 *
 * @param id      GPU UUID, e.g. {@code GPU-3f1c...}
 * @param index   NVML index
 * @param count   concurrent tasks the GPU accepts (the plugin's {@code deviceSplitCount})
 * @param devmem  registered memory in MiB (after the plugin's memory scaling)
 * @param devcore registered cores in percent of one GPU (100 x core scaling)
 * @param type    model name, e.g. {@code NVIDIA A100-SXM4-40GB}
 * @param numa    NUMA node
 * @param mode    operating mode: {@code hami-core}, {@code mig} or {@code mps}
 * @param health  whether kubelet reports the GPU healthy
 */
public record DeviceInfo(String id, int index, int count, int devmem, int devcore, String type, int numa,
                         String mode, boolean health) {

    public static final String MODE_HAMI_CORE = "hami-core";
    public static final String MODE_MIG = "mig";
    public static final String MODE_MPS = "mps";

    public DeviceInfo {
        Objects.requireNonNull(id, "id");
        type = type == null ? "" : type;
        mode = mode == null ? "" : mode;
    }
}
