package dev.gpushare.scheduler.extender;

import dev.gpushare.common.annotation.Excerpt;
import dev.gpushare.scheduler.config.HamiProperties;
import dev.gpushare.scheduler.leader.Admission;
import dev.gpushare.scheduler.leader.Leadership;
import dev.gpushare.scheduler.web.RequestBodies;
import io.micrometer.core.instrument.Timer;
import jakarta.servlet.http.HttpServletRequest;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The extender verbs over HTTP (reachable on the extender listener only, see {@code ListenerPathFilter}), each
 * through the same pipeline: read the body (bounded), decode it into the verb's typed arguments, pass the
 * {@link VerbGate}, let the service decide, record the sealed outcome ({@link VerbMetrics}, {@link PendingPods}),
 * write it as the verb's JSON. Every answer is HTTP 200:
 * kube-scheduler reads any other status as a failed call, and a JSON {@code Error} tells it (and the operator) what
 * was wrong. Bodies above {@code hami.filter.max-body-bytes} are refused without being read to the end.
 */
@RestController
class ExtenderController {

    private static final Logger log = LoggerFactory.getLogger(ExtenderController.class);

    /** One verb's steps, for {@link #serve}. */
    private record Verb<A, O>(String name, VerbGate.Verb gate, Decoder<A> decoder, Function<A, String> who,
                              Service<A, O> service, BiFunction<VerbFailure, String, O> failed,
                              Answer<A, O> answer, Recorder<A, O> recorder) {
    }

    /** What a verb decided, with its arguments when they could be decoded. */
    private record Decided<A, O>(A args, O outcome) {
    }

    private final VerbGate gate;
    private final int maxBodyBytes;
    private final VerbMetrics metrics;
    private final PendingPods pending;
    private final Verb<ExtenderJson.FilterArgs, FilterOutcome> filterVerb;
    private final Verb<ExtenderJson.BindArgs, BindOutcome> bindVerb;

    ExtenderController(FilterService filter, BindService bind, Leadership leadership, HamiProperties properties,
                       VerbMetrics metrics, PendingPods pending) {
        this.gate = new VerbGate(leadership, properties.filter().syncWait());
        this.maxBodyBytes = Math.toIntExact(properties.filter().maxBodyBytes().toBytes());
        this.metrics = metrics;
        this.pending = pending;
        this.filterVerb = new Verb<>("filter", VerbGate.Verb.FILTER, ExtenderJson::filterArgs,
                ExtenderJson.FilterArgs::who, filter::filter, FilterOutcome.Failed::new,
                ExtenderController::filterAnswer, this::recordFilter);
        this.bindVerb = new Verb<>("bind", VerbGate.Verb.BIND, ExtenderJson::bindArgs, ExtenderJson.BindArgs::who,
                bind::bind, BindOutcome.Failed::new, (args, outcome) -> ExtenderJson.bindResult(
                        outcome instanceof BindOutcome.Failed failed ? failed.error() : ""), this::recordBind);
    }

    @PostMapping(path = "/filter", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<String> filter(HttpServletRequest request) throws InterruptedException {
        return ResponseEntity.ok(serve(filterVerb, request));
    }

    @PostMapping(path = "/bind", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<String> bind(HttpServletRequest request) throws InterruptedException {
        return ResponseEntity.ok(serve(bindVerb, request));
    }

    /** Decides, records the outcome (the one place the verbs' metrics are taken), answers. */
    private <A, O> String serve(Verb<A, O> verb, HttpServletRequest request) throws InterruptedException {
        Timer.Sample started = metrics.start();
        Decided<A, O> decided = decide(verb, request);
        verb.recorder().record(decided.args(), decided.outcome(), started);
        return verb.answer().answer(decided.args(), decided.outcome());
    }

    private <A, O> Decided<A, O> decide(Verb<A, O> verb, HttpServletRequest request) throws InterruptedException {
        byte[] body = RequestBodies.readAtMost(request, maxBodyBytes);
        if (body == null) {
            return new Decided<>(null, verb.failed().apply(VerbFailure.TOO_LARGE,
                    "request body exceeds " + maxBodyBytes + " bytes (hami.filter.max-body-bytes)"));
        }
        A args = null;
        try {
            try {
                args = verb.decoder().decode(body);
            } catch (ExtenderJson.BadRequestException e) {
                log.warn("{} rejected request: {}", verb.name(), e.getMessage());
                return new Decided<>(null, verb.failed().apply(VerbFailure.BAD_REQUEST, e.getMessage()));
            }
            Admission admission = gate.admit(verb.gate());
            if (admission instanceof Admission.Refused refused) {
                log.warn("{} refused pod={}: {}", verb.name(), verb.who().apply(args), refused.reason());
                return new Decided<>(args, verb.failed().apply(VerbFailure.NOT_SERVING, refused.reason()));
            }
            return new Decided<>(args, verb.service().serve(args, ((Admission.Serving) admission).term()));
        } catch (RuntimeException e) {
            log.error("{} failed unexpectedly", verb.name(), e);
            return new Decided<>(args, verb.failed().apply(VerbFailure.INTERNAL_ERROR,
                    "internal error: " + Excerpt.message(e.getMessage())));
        }
    }

    private void recordFilter(ExtenderJson.FilterArgs args, FilterOutcome outcome, Timer.Sample started) {
        metrics.filter(outcome, started);
        if (args == null || args.pod().getMetadata() == null) {
            return;
        }
        var meta = args.pod().getMetadata();
        if (outcome instanceof FilterOutcome.Unschedulable unschedulable) {
            pending.waiting(meta.getUid(), meta.getNamespace(), meta.getName(),
                    VerbMetrics.dominantReason(unschedulable));
        } else if (outcome instanceof FilterOutcome.Failed failed) {
            pending.waiting(meta.getUid(), meta.getNamespace(), meta.getName(), failed.failure().tag());
        } else {
            pending.scheduled(meta.getUid());
        }
    }

    private void recordBind(ExtenderJson.BindArgs args, BindOutcome outcome, Timer.Sample started) {
        metrics.bind(outcome, started);
        if (args != null && outcome instanceof BindOutcome.Bound) {
            pending.scheduled(args.podUid());
        }
    }

    private static String filterAnswer(ExtenderJson.FilterArgs args, FilterOutcome outcome) {
        if (outcome instanceof FilterOutcome.Passed passed) {
            return ExtenderJson.passed(args, passed.nodes());
        }
        if (outcome instanceof FilterOutcome.Unschedulable unschedulable) {
            return ExtenderJson.failed(unschedulable.rejections());
        }
        return ExtenderJson.filterError(((FilterOutcome.Failed) outcome).error());
    }

    @FunctionalInterface
    private interface Decoder<A> {
        A decode(byte[] body) throws ExtenderJson.BadRequestException;
    }

    @FunctionalInterface
    private interface Service<A, O> {
        O serve(A args, long term) throws InterruptedException;
    }

    /** Writes the verb's JSON; {@code args} is null when the request could not be decoded (then a failure). */
    @FunctionalInterface
    private interface Answer<A, O> {
        String answer(A args, O outcome);
    }

    @FunctionalInterface
    private interface Recorder<A, O> {
        void record(A args, O outcome, Timer.Sample started);
    }
}
