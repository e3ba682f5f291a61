package dev.gpushare.webhook;

import dev.gpushare.placement.NamespaceQuota;

/**
 * The GPU quota of a namespace (limits and what its pods hold), provided by the scheduler from its usage ledger, so
 * that admission judges a pod by placement's own quota rule. Called once per GPU pod admission; must not block on
 * the API server. An exception it throws is treated as an internal error (the pod is admitted unchanged, see
 * {@link AdmissionReviewHandler}).
 */
@FunctionalInterface
public interface QuotaLookup {

    /** A lookup for clusters without GPU quotas. */
    QuotaLookup UNLIMITED = namespace -> NamespaceQuota.NONE;

    NamespaceQuota quota(String namespace);
}
