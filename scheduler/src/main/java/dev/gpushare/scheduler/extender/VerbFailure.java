package dev.gpushare.scheduler.extender;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Why a verb answered an {@code Error}, as a small fixed set (the {@code reason} label of
 * {@code gpushare_filter_failures_total} and {@code gpushare_bind_failures_total}); the error text says the rest.
 * A pod that fits nowhere is not a failure: {@code /filter} answers it as unschedulable, with each node's reasons.
 */
enum VerbFailure {
    /** The body is larger than {@code hami.filter.max-body-bytes}. */
    TOO_LARGE(Scope.BOTH),
    /** The body is not the verb's JSON. */
    BAD_REQUEST(Scope.BOTH),
    /** This replica does not lead, or its ledger is not synced for the term. */
    NOT_SERVING(Scope.BOTH),
    /** A bug: the verb threw. */
    INTERNAL_ERROR(Scope.BOTH),
    /** The pod's GPU request cannot be read. */
    INVALID_REQUEST(Scope.BOTH),
    /** The leadership term ended while the verb was working; it wrote nothing. */
    LEADERSHIP_LOST(Scope.BOTH),
    /** The pod does not exist (any more). */
    POD_NOT_FOUND(Scope.BOTH),
    /** The API server failed a read. */
    API_ERROR(Scope.BOTH),
    /** The pod cannot be placed anywhere as written (e.g. an unknown policy value). */
    INVALID_POD(Scope.FILTER),
    /**
     * Writing the placement into the pod's annotations failed; the reservation was dropped. The write is pipelined
     * off {@code /filter}'s answer, so it is {@code /bind} that answers it.
     */
    ANNOTATE_FAILED(Scope.BOTH),
    /** Another bind of the same pod is still running (a duplicate waits for the first, up to the lock wait). */
    BIND_IN_PROGRESS(Scope.BIND),
    /** The pod was recreated under the same name (another UID). */
    POD_RECREATED(Scope.BIND),
    /** The pod is bound to another node already. */
    BOUND_ELSEWHERE(Scope.BIND),
    /** The node does not exist. */
    NODE_NOT_FOUND(Scope.BIND),
    /** The pod has no reservation here (not filtered by this replica, or expired). */
    NO_RESERVATION(Scope.BIND),
    /** The pod was placed on another node than the one kube-scheduler binds it to. */
    WRONG_NODE(Scope.BIND),
    /** Under the node lock, the pods bound to the node meanwhile (by another scheduler) leave no room for it. */
    NO_LONGER_FITS(Scope.BIND),
    /** Another pod held the node lock until {@code hami.bind.lock-wait} ran out. */
    LOCK_TIMED_OUT(Scope.BIND),
    /** Another pod holds the node lock and the lock wait is zero. */
    LOCK_HELD(Scope.BIND),
    /** The node lock could not be written (the node kept changing, or the API failed). */
    LOCK_FAILED(Scope.BIND),
    /** Writing {@code bind-phase} or creating the Binding failed; the lock and reservation were released. */
    BINDING_FAILED(Scope.BIND);

    enum Scope { FILTER, BIND, BOTH }

    private final Scope scope;

    VerbFailure(Scope scope) {
        this.scope = scope;
    }

    /** The reasons one verb can give. */
    static Set<VerbFailure> of(Scope verb) {
        EnumSet<VerbFailure> reasons = EnumSet.noneOf(VerbFailure.class);
        for (VerbFailure failure : values()) {
            if (failure.scope == Scope.BOTH || failure.scope == verb) {
                reasons.add(failure);
            }
        }
        return reasons;
    }

    String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
