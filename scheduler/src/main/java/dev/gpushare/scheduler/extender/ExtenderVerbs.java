package dev.gpushare.scheduler.extender;

import dev.gpushare.common.annotation.Excerpt;
import dev.gpushare.scheduler.leader.Admission;
import dev.gpushare.scheduler.leader.Leadership;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one pipeline of both extender verbs, from request body to answer: decode the body into the verb's typed
 * arguments, pass the {@link VerbGate}, let the service decide, record its sealed outcome ({@link VerbMetrics},
 * {@link PendingPods}), write it as the verb's JSON. Every
 * failure, expected or not, becomes the verb's JSON {@code Error}; nothing here knows HTTP.
 */
public final class ExtenderVerbs {

    private static final Logger log = LoggerFactory.getLogger(ExtenderVerbs.class);

    /** One verb's steps, for {@link #serve}. */
    private record Verb<A, O>(String name, VerbGate.Verb gate, Decoder<A> decoder, Function<A, String> who,
                              Service<A, O> service, BiFunction<VerbFailure, String, O> failed, Answer<A, O> answer,
                              Recorder<A, O> recorder) {
    }

    /** What a verb decided, with its arguments when they could be decoded. */
    private record Decided<A, O>(A args, O outcome) {
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

    private final VerbGate gate;
    private final VerbMetrics metrics;
    private final PendingPods pending;
    private final Verb<ExtenderJson.FilterArgs, FilterOutcome> filterVerb;
    private final Verb<ExtenderJson.BindArgs, BindOutcome> bindVerb;

    /** @param syncWait how long a verb waits for this replica to lead with a synced state */
    public ExtenderVerbs(FilterService filter, BindService bind, Leadership leadership, Duration syncWait,
                         VerbMetrics metrics, PendingPods pending) {
        this.gate = new VerbGate(leadership, syncWait);
        this.metrics = metrics;
        this.pending = pending;
        this.filterVerb = new Verb<>("filter", VerbGate.Verb.FILTER, ExtenderJson::filterArgs,
                ExtenderJson.FilterArgs::who, filter::filter, FilterOutcome.Failed::new, ExtenderVerbs::filterAnswer,
                this::recordFilter);
        this.bindVerb = new Verb<>("bind", VerbGate.Verb.BIND, ExtenderJson::bindArgs, ExtenderJson.BindArgs::who,
                bind::bind, BindOutcome.Failed::new, (args, outcome) -> ExtenderJson.bindResult(
                        outcome instanceof BindOutcome.Failed failed ? failed.error() : ""), this::recordBind);
    }

    /** {@code ExtenderArgs} in, {@code ExtenderFilterResult} out. */
    public String filter(byte[] body) throws InterruptedException {
        return serve(filterVerb, body);
    }

    /** {@code ExtenderBindingArgs} in, {@code ExtenderBindingResult} out. */
    public String bind(byte[] body) throws InterruptedException {
        return serve(bindVerb, body);
    }

    /** The answer of a verb that could not even read its request: the body was too large. */
    String filterTooLarge(String error) {
        return refused(filterVerb, VerbFailure.TOO_LARGE, error);
    }

    String bindTooLarge(String error) {
        return refused(bindVerb, VerbFailure.TOO_LARGE, error);
    }

    private <A, O> String refused(Verb<A, O> verb, VerbFailure failure, String error) {
        Timer.Sample started = metrics.start();
        O outcome = verb.failed().apply(failure, error);
        verb.recorder().record(null, outcome, started);
        return verb.answer().answer(null, outcome);
    }

    /** Decides, records the outcome (the one place the verbs' metrics are taken), answers. */
    private <A, O> String serve(Verb<A, O> verb, byte[] body) throws InterruptedException {
        Timer.Sample started = metrics.start();
        Decided<A, O> decided = decide(verb, body);
        verb.recorder().record(decided.args(), decided.outcome(), started);
        return verb.answer().answer(decided.args(), decided.outcome());
    }

    private <A, O> Decided<A, O> decide(Verb<A, O> verb, byte[] body) throws InterruptedException {
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
}
