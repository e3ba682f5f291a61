package dev.gpushare.common.annotation;

/**
 * Every annotation and label key (and the fixed values) of the HAMi v2.8 wire protocol that this project reads or
 * writes, in one place (spec section 2.1). Keys are part of the compatibility contract with HAMi's device plugin
 * and vGPU monitor: never change one.
 */
public final class HamiKeys {

    private HamiKeys() {
    }

    /** Vendor common word of NVIDIA devices: the {@code TYPE} field of allocated devices. */
    public static final String NVIDIA_VENDOR = "NVIDIA";

    // Node annotations.
    /** Device list written by the device plugin (JSON, legacy colon/comma accepted). */
    public static final String NODE_NVIDIA_REGISTER = "hami.io/node-nvidia-register";
    /** GPU pair scores written by the device plugin when topology scoring is enabled. */
    public static final String NODE_NVIDIA_SCORE = "hami.io/node-nvidia-score";
    /** {@code Requesting_/Deleted_/Reported} handshake (see {@link Handshake}). */
    public static final String NODE_HANDSHAKE = "hami.io/node-handshake";
    /** Node lock {@code <RFC3339>,<ns>,<name>} (see {@code dev.gpushare.common.lock.NodeLockValue}). */
    public static final String NODE_LOCK = "hami.io/mutex.lock";

    // Pod annotations written by the scheduler.
    /** Chosen node: written as a pod annotation <em>and</em> as a pod label (the vGPU monitor selects on it). */
    public static final String VGPU_NODE = "hami.io/vgpu-node";
    /** Unix seconds of the filter decision. */
    public static final String VGPU_TIME = "hami.io/vgpu-time";
    /** Allocation the device plugin consumes container by container. */
    public static final String DEVICES_TO_ALLOCATE = "hami.io/vgpu-devices-to-allocate";
    /** Allocation as decided, never modified afterwards (usage is rebuilt from it). */
    public static final String DEVICES_ALLOCATED = "hami.io/vgpu-devices-allocated";
    /** {@link BindPhase} of the pod. */
    public static final String BIND_PHASE = "hami.io/bind-phase";
    /** Unix seconds of the bind. */
    public static final String BIND_TIME = "hami.io/bind-time";

    /**
     * Not HAMi's: this project's seal over a placement ({@code dev.gpushare.common.seal.PlacementSeal}), written by
     * {@code /filter} with the placement. HAMi's components neither read nor write it.
     */
    public static final String PLACEMENT_SEAL = "gpushare.dev/placement-seal";

    /**
     * Node annotation (HAMi v2.10): comma list of GPU UUIDs that take no new allocations; pods already on them keep
     * running. Entries are trimmed, empty ones ignored.
     */
    public static final String DEVICE_CORDON = "hami.io/device-cordon";
    /**
     * Pod annotation (HAMi v2.10): {@code slot=<n>,core=<n>,memory=<n>}, the weights of the GPU score terms (all
     * three, non-negative integers, at least one positive); default {@code 1,1,1}.
     */
    public static final String DEVICE_SCORING_WEIGHTS = "hami.io/device-scoring-weights";

    /**
     * Whether a pod annotation or label key is one that only the scheduler (and, after it, the device plugin)
     * writes: {@code hami.io/vgpu-*}, {@code hami.io/bind-*}, the node lock key and the placement seal. A pod
     * created with one of them claims a placement nobody made.
     */
    public static boolean schedulerOwned(String key) {
        return key.startsWith("hami.io/vgpu-") || key.startsWith("hami.io/bind-") || key.equals(NODE_LOCK)
                || key.equals(PLACEMENT_SEAL);
    }

    // Pod annotations set by users.
    /** Node policy for this pod: {@code binpack} or {@code spread}. */
    public static final String NODE_SCHEDULER_POLICY = "hami.io/node-scheduler-policy";
    /** GPU policy for this pod: {@code binpack}, {@code spread} or {@code topology-aware}. */
    public static final String GPU_SCHEDULER_POLICY = "hami.io/gpu-scheduler-policy";
    /** Comma list of model substrings a GPU must match. */
    public static final String USE_GPU_TYPE = "nvidia.com/use-gputype";
    /** Comma list of model substrings a GPU must not match. */
    public static final String NOUSE_GPU_TYPE = "nvidia.com/nouse-gputype";
    /** Comma list of exact UUIDs a GPU must be one of. */
    public static final String USE_GPU_UUID = "nvidia.com/use-gpuuuid";
    /** Comma list of exact UUIDs a GPU must not be. */
    public static final String NOUSE_GPU_UUID = "nvidia.com/nouse-gpuuuid";
    /** Boolean string: all GPUs of a container on one NUMA node. */
    public static final String NUMA_BIND = "nvidia.com/numa-bind";
    /** {@code hami-core}, {@code mig} or {@code mps}. */
    public static final String VGPU_MODE = "nvidia.com/vgpu-mode";

    // Labels.
    /** Namespace or pod label; value {@link #WEBHOOK_IGNORE} excludes the object from the webhook. */
    public static final String WEBHOOK = "hami.io/webhook";
    public static final String WEBHOOK_IGNORE = "ignore";
    /** Label on scheduler pods ([v2.9+]); the Service may select the leader by it. */
    public static final String SCHEDULER_ROLE = "hami.io/scheduler-role";
    public static final String SCHEDULER_ROLE_LEADER = "leader";
    public static final String SCHEDULER_ROLE_FOLLOWER = "follower";
    /**
     * Ours: annotation a new leadership term writes on the replica's own pod, to know when its pod informer has
     * caught up with every pod write made before it.
     */
    public static final String SCHEDULER_TERM = "hami.io/scheduler-term";
    /** Node label of the NVIDIA GPU Operator's driver upgrade; nodes mid-upgrade get no new GPU pods. */
    public static final String GPU_DRIVER_UPGRADE_STATE = "nvidia.com/gpu-driver-upgrade-state";
    /** The only non-empty {@link #GPU_DRIVER_UPGRADE_STATE} value that means "not upgrading". */
    public static final String GPU_DRIVER_UPGRADE_DONE = "upgrade-done";
}
