package dev.gpushare.placement;

/**
 * Why a GPU or a node cannot take a container; {@link #wireName()} is the exact string HAMi uses (spec 4.7), which
 * users see in {@code FailedNodes} and in {@code kubectl describe pod}. {@link #resolvable()} says whether evicting
 * pods (kube-scheduler's preemption) could ever remove the reason: a node rejected only for reasons that are not
 * goes to {@code FailedAndUnresolvableNodes}, so kube-scheduler does not try a pointless preemption there.
 */
public enum FailureReason {
    CARD_NOT_HEALTH("CardNotHealth", true),
    /** The GPU's UUID is listed in the node annotation {@code hami.io/device-cordon} (HAMi v2.10). */
    CARD_CORDONED("CardCordoned", false),
    CARD_TYPE_MISMATCH("CardTypeMismatch", false),
    CARD_UUID_MISMATCH("CardUuidMismatch", false),
    CARD_TIME_SLICING_EXHAUSTED("CardTimeSlicingExhausted", true),
    RESOURCE_QUOTA_NOT_FIT("ResourceQuotaNotFit", true),
    CARD_INSUFFICIENT_MEMORY("CardInsufficientMemory", true),
    CARD_INSUFFICIENT_CORE("CardInsufficientCore", true),
    EXCLUSIVE_DEVICE_ALLOCATE_CONFLICT("ExclusiveDeviceAllocateConflict", true),
    CARD_COMPUTE_UNITS_EXHAUSTED("CardComputeUnitsExhausted", true),
    CARD_NOT_FOUND_CUSTOM_FILTER_RULE("CardNotFoundCustomFilterRule", true),
    /** The GPU fitted, but its NUMA node did not have enough fitting GPUs ({@code nvidia.com/numa-bind}). */
    NUMA_NOT_FIT("NumaNotFit", true),
    /** The GPU fitted, but the node had fewer fitting GPUs than the container asks for. */
    ALLOCATED_CARDS_INSUFFICIENT_REQUEST("AllocatedCardsInsufficientRequest", true),
    /** Node-level: the container asks for more GPUs than the node has. */
    NODE_INSUFFICIENT_DEVICE("NodeInsufficientDevice", false),
    /** Node-level (ours): the node's device registration could not be decoded. */
    NODE_REGISTRATION_INVALID("NodeRegistrationInvalid", false),
    /** Node-level (ours): the NVIDIA GPU Operator is upgrading the node's driver. */
    NODE_DRIVER_UPGRADING("NodeDriverUpgrading", false),
    /**
     * Node-level: the node is not a registered GPU node (no register annotation, or no allocatable GPUs); HAMi's
     * text, lower case as HAMi writes it.
     */
    NODE_UNREGISTERED("node unregistered", false);

    private final String wireName;
    private final boolean resolvable;

    FailureReason(String wireName, boolean resolvable) {
        this.wireName = wireName;
        this.resolvable = resolvable;
    }

    public String wireName() {
        return wireName;
    }

    /** Whether preemption (freeing what other pods hold) could remove this reason. */
    public boolean resolvable() {
        return resolvable;
    }
}
