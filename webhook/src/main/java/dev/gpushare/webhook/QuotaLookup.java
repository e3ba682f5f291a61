package dev.gpushare.webhook;

/**
 * The remaining GPU quota of a namespace, provided by the scheduler from its usage ledger. Called once per GPU pod
 * admission; must not block on the API server. An exception it throws is treated as an internal error (the pod is
 * admitted unchanged, see {@link AdmissionReviewHandler}).
 */
@FunctionalInterface
public interface QuotaLookup {

    /** A lookup for clusters without GPU quotas. */
    QuotaLookup UNLIMITED = namespace -> QuotaHeadroom.UNLIMITED;

    QuotaHeadroom remaining(String namespace);
}
