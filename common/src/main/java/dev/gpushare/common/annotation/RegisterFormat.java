package dev.gpushare.common.annotation;

/** Which encoding a node's {@link HamiKeys#NODE_NVIDIA_REGISTER} value used. */
public enum RegisterFormat {
    /** The JSON array of v2.8+ device plugins. */
    JSON,
    /** The colon/comma list of v2.7 and older device plugins. */
    LEGACY
}
