package dev.gpushare.scheduler.extender;

import dev.gpushare.scheduler.leader.Admission;
import dev.gpushare.scheduler.leader.Leadership;
import java.time.Duration;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one pipeline of both extender verbs, from request body to answer: decode the body into the verb's typed
 * arguments, pass the {@link VerbGate}, let the service decide, write its sealed outcome as the verb's JSON. Every
 * failure, expected or not, becomes the verb's JSON {@code Error}; nothing here knows HTTP.
 */
public final class ExtenderVerbs {

    private static final Logger log = LoggerFactory.getLogger(ExtenderVerbs.class);

    /** One verb's steps, for {@link #serve}. */
    private record Verb<A, O>(String name, VerbGate.Verb gate, Decoder<A> decoder, Function<A, String> who,
                              Service<A, O> service, Answer<A, O> answer, Function<String, String> error) {
    }

    @FunctionalInterface
    private interface Decoder<A> {
        A decode(byte[] body) throws ExtenderJson.BadRequestException;
    }

    @FunctionalInterface
    private interface Service<A, O> {
        O serve(A args, long term) throws InterruptedException;
    }

    @FunctionalInterface
    private interface Answer<A, O> {
        String answer(A args, O outcome);
    }

    private final VerbGate gate;
    private final Verb<ExtenderJson.FilterArgs, FilterOutcome> filterVerb;
    private final Verb<ExtenderJson.BindArgs, BindOutcome> bindVerb;

    /** @param syncWait how long a verb waits for this replica to lead with a synced state */
    public ExtenderVerbs(FilterService filter, BindService bind, Leadership leadership, Duration syncWait) {
        this.gate = new VerbGate(leadership, syncWait);
        this.filterVerb = new Verb<>("filter", VerbGate.Verb.FILTER, ExtenderJson::filterArgs,
                ExtenderJson.FilterArgs::who, filter::filter, ExtenderVerbs::filterAnswer, ExtenderJson::filterError);
        this.bindVerb = new Verb<>("bind", VerbGate.Verb.BIND, ExtenderJson::bindArgs, ExtenderJson.BindArgs::who,
                bind::bind, (args, outcome) -> ExtenderJson.bindResult(
                        outcome instanceof BindOutcome.Failed failed ? failed.error() : ""),
                ExtenderJson::bindResult);
    }

    /** {@code ExtenderArgs} in, {@code ExtenderFilterResult} out. */
    public String filter(byte[] body) throws InterruptedException {
        return serve(filterVerb, body);
    }

    /** {@code ExtenderBindingArgs} in, {@code ExtenderBindingResult} out. */
    public String bind(byte[] body) throws InterruptedException {
        return serve(bindVerb, body);
    }

    /** The answer of a verb that could not even read its request (e.g. the body was too large). */
    String filterError(String error) {
        return ExtenderJson.filterError(error);
    }

    String bindError(String error) {
        return ExtenderJson.bindResult(error);
    }

    private <A, O> String serve(Verb<A, O> verb, byte[] body) throws InterruptedException {
        try {
            A args;
            try {
                args = verb.decoder().decode(body);
            } catch (ExtenderJson.BadRequestException e) {
                log.warn("{} rejected request: {}", verb.name(), e.getMessage());
                return verb.error().apply(e.getMessage());
            }
            Admission admission = gate.admit(verb.gate());
            if (admission instanceof Admission.Refused refused) {
                log.warn("{} refused pod={}: {}", verb.name(), verb.who().apply(args), refused.reason());
                return verb.error().apply(refused.reason());
            }
            return verb.answer().answer(args, verb.service().serve(args, ((Admission.Serving) admission).term()));
        } catch (RuntimeException e) {
            log.error("{} failed unexpectedly", verb.name(), e);
            return verb.error().apply("internal error: " + e.getMessage());
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
