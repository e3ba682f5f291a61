package dev.gpushare.scheduler.extender;

import dev.gpushare.common.annotation.Excerpt;
import dev.gpushare.scheduler.config.HamiProperties;
import dev.gpushare.scheduler.web.RequestBodies;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The extender verbs over HTTP (reachable on the extender listener only, see {@code ListenerPathFilter}). Every
 * answer is HTTP 200 with the verb's JSON result: kube-scheduler reads any other status as a failed call, and a
 * JSON {@code Error} tells it (and the operator) what was wrong. Bodies above {@code hami.filter.max-body-bytes}
 * are refused without being read to the end.
 */
@RestController
class ExtenderController {

    private static final Logger log = LoggerFactory.getLogger(ExtenderController.class);

    private final FilterService filter;
    private final BindService bind;
    private final int maxBodyBytes;

    ExtenderController(FilterService filter, BindService bind, HamiProperties properties) {
        this.filter = filter;
        this.bind = bind;
        this.maxBodyBytes = Math.toIntExact(properties.filter().maxBodyBytes().toBytes());
    }

    @PostMapping(path = "/filter", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<String> filter(HttpServletRequest request) throws InterruptedException {
        byte[] body = RequestBodies.readAtMost(request, maxBodyBytes);
        if (body == null) {
            return ResponseEntity.ok(ExtenderJson.filterError(tooLarge()));
        }
        try {
            return ResponseEntity.ok(filter.filter(body));
        } catch (RuntimeException e) {
            log.error("filter failed unexpectedly", e);
            return ResponseEntity.ok(ExtenderJson.filterError("internal error: " + Excerpt.message(e.getMessage())));
        }
    }

    @PostMapping(path = "/bind", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<String> bind(HttpServletRequest request) throws InterruptedException {
        byte[] body = RequestBodies.readAtMost(request, maxBodyBytes);
        if (body == null) {
            return ResponseEntity.ok(ExtenderJson.bindResult(tooLarge()));
        }
        try {
            return ResponseEntity.ok(bind.bind(body));
        } catch (RuntimeException e) {
            log.error("bind failed unexpectedly", e);
            return ResponseEntity.ok(ExtenderJson.bindResult("internal error: " + Excerpt.message(e.getMessage())));
        }
    }

    private String tooLarge() {
        return "request body exceeds " + maxBodyBytes + " bytes (hami.filter.max-body-bytes)";
    }
}
