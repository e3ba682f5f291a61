package dev.gpushare.scheduler.extender;

import dev.gpushare.common.annotation.AllocationCodec;
import dev.gpushare.common.device.ContainerDevice;
import dev.gpushare.common.request.InvalidRequestException;
import dev.gpushare.common.request.PodRequest;
import dev.gpushare.common.request.PodRequestParser;
import dev.gpushare.placement.FailureReason;
import dev.gpushare.placement.NodeRejection;
import dev.gpushare.placement.PlacementEngine;
import dev.gpushare.placement.PlacementRequest;
import dev.gpushare.placement.PlacementResult;
import dev.gpushare.scheduler.events.Events;
import dev.gpushare.scheduler.leader.Leadership;
import dev.gpushare.scheduler.leader.TermPermit;
import dev.gpushare.scheduler.state.ClusterState;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /filter} (spec 1.5 and 4.1): parse the pod's request once, let the engine choose among the named
 * nodes on their snapshots, reserve the choice, answer exactly one node at once and have the placement annotations
 * written behind the answer ({@link PlacementWrites}); or answer each node's own reasons when none fits.
 */
public final class FilterService {

    private static final Logger log = LoggerFactory.getLogger(FilterService.class);

    private final ClusterState state;
    private final PlacementEngine engine;
    private final Leadership leadership;
    private final PodRequestParser parser;
    private final PlacementWrites placements;
    private final Events events;
    private final Clock clock;

    public FilterService(ClusterState state, PlacementEngine engine, Leadership leadership, PodRequestParser parser,
                         PlacementWrites placements, Events events, Clock clock) {
        this.state = state;
        this.engine = engine;
        this.leadership = leadership;
        this.parser = parser;
        this.placements = placements;
        this.events = events;
        this.clock = clock;
    }

    /** Decides for one pod, within leadership {@code term} (admitted by the {@link VerbGate}). */
    FilterOutcome filter(ExtenderJson.FilterArgs args, long term) {
        Pod pod = args.pod();
        ObjectMeta meta = pod.getMetadata();
        String who = args.who();
        PodRequest request;
        try {
            request = parser.parse(pod);
        } catch (InvalidRequestException e) {
            return invalid(meta, who, VerbFailure.INVALID_REQUEST, "invalid GPU request: " + e.getMessage());
        }
        if (!request.requestsAnyGpu()) {
            events.onPod(meta, Events.Type.Warning, "FilteringFailed", "does not request any resource");
            log.info("filter passed pod={} nodes={}: requests no GPU", who, args.nodeNames().size());
            return new FilterOutcome.Passed(args.nodeNames());
        }
        long started = System.nanoTime();
        PlacementResult result = state.placeAndReserve(meta.getUid(), meta.getNamespace(), meta.getName(),
                args.nodeNames(), (candidates, quota) -> engine.place(new PlacementRequest(meta.getNamespace(),
                        meta.getName(), request, meta.getAnnotations(), quota), candidates));
        if (result instanceof PlacementResult.Placed placed) {
            try (TermPermit permit = leadership.enter(term)) {
                if (!permit.held()) {
                    // Lost meanwhile: the next leader places the pod; what we reserved must not linger.
                    state.unreserve(meta.getUid());
                    log.warn("filter refused pod={}: leadership term {} ended while placing it", who, term);
                    return new FilterOutcome.Failed(VerbFailure.LEADERSHIP_LOST,
                            "not the leader: leadership was lost while placing the pod");
                }
                return annotate(args, meta, who, placed, term, started);
            }
        }
        if (result instanceof PlacementResult.Unschedulable unschedulable) {
            return unschedulable(meta, who, args.nodeNames().size(), unschedulable.failedNodes());
        }
        if (result instanceof PlacementResult.InvalidPod invalidPod) {
            return invalid(meta, who, VerbFailure.INVALID_POD, invalidPod.message());
        }
        return new FilterOutcome.Passed(args.nodeNames());
    }

    private FilterOutcome annotate(ExtenderJson.FilterArgs args, ObjectMeta meta, String who,
                                   PlacementResult.Placed placed, long term, long started) {
        // The hami.io/vgpu-node label is written by /bind once the pod is bound (see PodWrites#writePlacement).
        String allocation = AllocationCodec.encode(placed.allocation());
        PlacementWrites.Placement placement = new PlacementWrites.Placement(placed.node(), allocation,
                state.seal(meta.getUid(), placed.node(), allocation), clock.instant());
        placements.write(meta.getUid(), meta.getNamespace(), meta.getName(), placement, term, error -> {
            state.unreserve(meta.getUid());
            events.onPod(meta, Events.Type.Warning, "FilteringFailed", error);
            log.warn("filter failed pod={} node={}: {} (reservation dropped)", who, placed.node(), error);
        });
        int candidates = args.nodeNames().size();
        int unfit = placed.failedNodes().size();
        events.onPod(meta, Events.Type.Normal, "FilteringSucceed", succeeded(placed, candidates));
        log.info("filter placed pod={} node={} gpus={} candidates={} unfit={} tookMs={}", who, placed.node(),
                placed.allocation().devices().stream().map(ContainerDevice::uuid).toList(), candidates, unfit,
                (System.nanoTime() - started) / 1_000_000);
        return new FilterOutcome.Passed(List.of(placed.node()));
    }

    private FilterOutcome unschedulable(ObjectMeta meta, String who, int candidates,
                                        SortedMap<String, NodeRejection> failed) {
        SortedMap<String, TreeSet<String>> byReason = byReason(failed);
        StringBuilder message = new StringBuilder("no available node, ").append(candidates)
                .append(" nodes do not meet");
        byReason.forEach((reason, nodes) -> message.append("; ").append(nodes.size()).append(" nodes ")
                .append(reason).append('(').append(String.join(",", nodes)).append(')'));
        events.onPod(meta, Events.Type.Warning, "FilteringFailed", message.toString());
        Map<String, Integer> counts = new TreeMap<>();
        byReason.forEach((reason, nodes) -> counts.put(reason, nodes.size()));
        log.info("filter unschedulable pod={} candidates={} reasons={}", who, candidates, counts);
        return new FilterOutcome.Unschedulable(failed);
    }

    private FilterOutcome invalid(ObjectMeta meta, String who, VerbFailure failure, String error) {
        events.onPod(meta, Events.Type.Warning, "FilteringFailed", error);
        log.info("filter refused pod={}: {}", who, error);
        return new FilterOutcome.Failed(failure, error);
    }

    /**
     * Reason text to the nodes that gave it, sorted by the text: a node rejected for two reasons is counted under
     * both.
     */
    static SortedMap<String, TreeSet<String>> byReason(SortedMap<String, NodeRejection> failed) {
        SortedMap<String, TreeSet<String>> byReason = new TreeMap<>();
        failed.forEach((node, rejection) -> {
            for (FailureReason reason : rejection.reasons()) {
                byReason.computeIfAbsent(reason.wireName(), r -> new TreeSet<>()).add(node);
            }
        });
        return byReason;
    }

    /**
     * HAMi's message (spec 4.9): the chosen node, how many nodes did not fit, and every fitting node with its node
     * score in order of preference (the chosen one first). Built only until it passes the Event's size limit, where
     * the recorder cuts it: with 500 candidates the whole list would be ten times longer than what is kept.
     */
    static String succeeded(PlacementResult.Placed placed, int candidates) {
        int unfit = placed.failedNodes().size();
        StringBuilder message = new StringBuilder(Events.MAX_MESSAGE + 64).append("find fit node(")
                .append(placed.node()).append("), ").append(unfit).append(" nodes not fit, ")
                .append(candidates - unfit).append(" nodes fit(");
        String separator = "";
        for (PlacementResult.NodeScore fit : placed.fitting()) {
            if (message.length() > Events.MAX_MESSAGE) {
                return message.toString();
            }
            message.append(separator).append(fit.node()).append(':').append(twoDecimals(fit.score()));
            separator = ",";
        }
        return message.append(')').toString();
    }

    /** {@code String.format(Locale.ROOT, "%.2f", score)}: half-up on the shortest decimal form, without a Formatter. */
    static String twoDecimals(float score) {
        return new BigDecimal(Double.toString(score)).setScale(2, RoundingMode.HALF_UP).toPlainString();
    }
}
