package dev.gpushare.scheduler.extender;

import dev.gpushare.scheduler.config.HamiProperties;
import dev.gpushare.scheduler.listener.RequestBodies;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The extender verbs over HTTP (reachable on the extender listener only, see {@code ListenerPathFilter}): reads the
 * body, bounded by {@code hami.extender.max-body-bytes} (a larger one is refused without being read to the end),
 * and hands it to {@link ExtenderVerbs}. Every answer is HTTP 200: kube-scheduler reads any other status as a
 * failed call, and a JSON {@code Error} tells it (and the operator) what was wrong.
 */
@RestController
class ExtenderController {

    private final ExtenderVerbs verbs;
    private final int maxBodyBytes;

    ExtenderController(ExtenderVerbs verbs, HamiProperties properties) {
        this.verbs = verbs;
        this.maxBodyBytes = Math.toIntExact(properties.extender().maxBodyBytes().toBytes());
    }

    @PostMapping(path = "/filter", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<String> filter(HttpServletRequest request) throws InterruptedException {
        byte[] body = RequestBodies.readAtMost(request, maxBodyBytes);
        return ResponseEntity.ok(body == null ? verbs.filterTooLarge(tooLarge()) : verbs.filter(body));
    }

    @PostMapping(path = "/bind", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<String> bind(HttpServletRequest request) throws InterruptedException {
        byte[] body = RequestBodies.readAtMost(request, maxBodyBytes);
        return ResponseEntity.ok(body == null ? verbs.bindTooLarge(tooLarge()) : verbs.bind(body));
    }

    private String tooLarge() {
        return "request body exceeds " + maxBodyBytes + " bytes (hami.extender.max-body-bytes)";
    }
}
