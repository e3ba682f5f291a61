package dev.gpushare.scheduler.extender;

import dev.gpushare.scheduler.config.HamiProperties;
import dev.gpushare.scheduler.leader.Admission;
import dev.gpushare.scheduler.leader.Leadership;
import dev.gpushare.scheduler.listener.RequestBodies;
import jakarta.servlet.http.HttpServletRequest;
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
 * {@link VerbGate}, let the service decide, write its sealed outcome as the verb's JSON. Every answer is HTTP 200:
 * kube-scheduler reads any other status as a failed call, and a JSON {@code Error} tells it (and the operator) what
 * was wrong. Bodies above {@code hami.filter.max-body-bytes} are refused without being read to the end.
 */
@RestController
class ExtenderController {

    private static final Logger log = LoggerFactory.getLogger(ExtenderController.class);

    /** One verb's steps, for {@link #serve}. */
    private record Verb<A, O>(String name, VerbGate.Verb gate, Decoder<A> decoder, Function<A, String> who,
                              Service<A, O> service, Answer<A, O> answer, Function<String, String> error) {
    }

    private final VerbGate gate;
    private final int maxBodyBytes;
    private final Verb<ExtenderJson.FilterArgs, FilterOutcome> filterVerb;
    private final Verb<ExtenderJson.BindArgs, BindOutcome> bindVerb;

    ExtenderController(FilterService filter, BindService bind, Leadership leadership, HamiProperties properties) {
        this.gate = new VerbGate(leadership, properties.filter().syncWait());
        this.maxBodyBytes = Math.toIntExact(properties.filter().maxBodyBytes().toBytes());
        this.filterVerb = new Verb<>("filter", VerbGate.Verb.FILTER, ExtenderJson::filterArgs,
                ExtenderJson.FilterArgs::who, filter::filter, ExtenderController::filterAnswer,
                ExtenderJson::filterError);
        this.bindVerb = new Verb<>("bind", VerbGate.Verb.BIND, ExtenderJson::bindArgs, ExtenderJson.BindArgs::who,
                bind::bind, (args, outcome) -> ExtenderJson.bindResult(
                        outcome instanceof BindOutcome.Failed failed ? failed.error() : ""),
                ExtenderJson::bindResult);
    }

    @PostMapping(path = "/filter", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<String> filter(HttpServletRequest request) throws InterruptedException {
        return ResponseEntity.ok(serve(filterVerb, request));
    }

    @PostMapping(path = "/bind", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<String> bind(HttpServletRequest request) throws InterruptedException {
        return ResponseEntity.ok(serve(bindVerb, request));
    }

    private <A, O> String serve(Verb<A, O> verb, HttpServletRequest request) throws InterruptedException {
        byte[] body = RequestBodies.readAtMost(request, maxBodyBytes);
        if (body == null) {
            return verb.error().apply("request body exceeds " + maxBodyBytes + " bytes (hami.filter.max-body-bytes)");
        }
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
}
