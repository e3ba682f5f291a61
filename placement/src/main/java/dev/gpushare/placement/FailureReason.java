package dev.gpushare.placement;

/**
 * Why a GPU or a node cannot take a container; {@link #wireName()} is the exact string HAMi uses (spec 4.7), which
 * users see in {@code FailedNodes} and in {@code kubectl describe pod}.
 */
public enum FailureReason {
    CARD_NOT_HEALTH("CardNotHealth"),
    CARD_TYPE_MISMATCH("CardTypeMismatch"),
    CARD_UUID_MISMATCH("CardUuidMismatch"),
    CARD_TIME_SLICING_EXHAUSTED("CardTimeSlicingExhausted"),
    RESOURCE_QUOTA_NOT_FIT("ResourceQuotaNotFit"),
    CARD_INSUFFICIENT_MEMORY("CardInsufficientMemory"),
    CARD_INSUFFICIENT_CORE("CardInsufficientCore"),
    EXCLUSIVE_DEVICE_ALLOCATE_CONFLICT("ExclusiveDeviceAllocateConflict"),
    CARD_COMPUTE_UNITS_EXHAUSTED("CardComputeUnitsExhausted"),
    CARD_NOT_FOUND_CUSTOM_FILTER_RULE("CardNotFoundCustomFilterRule"),
    /** The GPU fitted, but its NUMA node did not have enough fitting GPUs ({@code nvidia.com/numa-bind}). */
    NUMA_NOT_FIT("NumaNotFit"),
    /** The GPU fitted, but the node had fewer fitting GPUs than the container asks for. */
    ALLOCATED_CARDS_INSUFFICIENT_REQUEST("AllocatedCardsInsufficientRequest"),
    /** Node-level: the container asks for more GPUs than the node has. */
    NODE_INSUFFICIENT_DEVICE("NodeInsufficientDevice"),
    /** Node-level (ours): the node's device registration could not be decoded. */
    NODE_REGISTRATION_INVALID("NodeRegistrationInvalid"),
    /** Node-level (ours): the NVIDIA GPU Operator is upgrading the node's driver. */
    NODE_DRIVER_UPGRADING("NodeDriverUpgrading");

    private final String wireName;

    FailureReason(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
