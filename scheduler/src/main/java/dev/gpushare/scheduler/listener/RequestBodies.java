package dev.gpushare.scheduler.listener;

import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a request body within a size limit, for the extender verbs and the webhook alike: the body
 * {@link BodyPrefetchFilter} read already (the listeners' case), else read here.
 */
public final class RequestBodies {

    /**
     * The webhook's body cap. The API server refuses request bodies above 3 MiB, so the AdmissionReview of any pod it
     * can admit stays below that plus the review's envelope; anything larger is not from the API server.
     */
    public static final int WEBHOOK_MAX_BYTES = 4 * 1024 * 1024;

    /** Request attribute holding the bytes {@link BodyPrefetchFilter} read. */
    static final String PREFETCHED = RequestBodies.class.getName() + ".prefetched";

    private static final Logger log = LoggerFactory.getLogger(RequestBodies.class);

    private RequestBodies() {
    }

    /**
     * The body, or {@code null} when it is (or is declared) longer than {@code limit}; never reads more than
     * {@code limit + 1} bytes. A client that goes away mid-body gets an empty body, which every decoder refuses.
     */
    public static byte[] readAtMost(HttpServletRequest request, int limit) {
        if (request.getContentLengthLong() > limit) {
            return null;
        }
        if (request.getAttribute(PREFETCHED) instanceof byte[] prefetched) {
            return prefetched.length > limit ? null : prefetched;
        }
        try (InputStream in = request.getInputStream()) {
            byte[] body = in.readNBytes(limit + 1);
            return body.length > limit ? null : body;
        } catch (IOException e) {
            log.debug("request body of {} not fully read: {}", request.getRequestURI(), e.getMessage());
            return new byte[0];
        }
    }
}
