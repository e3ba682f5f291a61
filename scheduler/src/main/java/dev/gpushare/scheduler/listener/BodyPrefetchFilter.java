package dev.gpushare.scheduler.listener;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Reads the body of every verb and webhook request with non-blocking I/O before the request reaches its
 * controller, within one total deadline. No worker thread waits for a slow client: the read is driven by the
 * container's poller and a thread only runs when bytes arrive, so idle or trickling clients (one byte a second
 * resets a per-read timeout for ever) cannot hold the listener's thread pool. A body not complete within the
 * deadline is answered 408 and the connection closed; the controller then gets the body from
 * {@link RequestBodies#readAtMost} without blocking.
 */
final class BodyPrefetchFilter extends OncePerRequestFilter {

    private static final Logger log = LoggerFactory.getLogger(BodyPrefetchFilter.class);
    static final Set<String> PATHS = Set.of("/filter", "/bind", "/webhook");

    private final int maxBytes;
    private final Duration deadline;

    /**
     * @param maxBytes the largest body any of the paths accepts: reading stops one byte beyond it (the controller
     *                 applies its own limit to what was read)
     * @param deadline how long the whole body may take to arrive
     */
    BodyPrefetchFilter(int maxBytes, Duration deadline) {
        this.maxBytes = maxBytes;
        this.deadline = deadline;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !"POST".equals(request.getMethod()) || !PATHS.contains(request.getRequestURI());
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws jakarta.servlet.ServletException, IOException {
        if (request.getContentLengthLong() > maxBytes || request.getAttribute(RequestBodies.PREFETCHED) != null) {
            chain.doFilter(request, response);  // refused unread by the controller, or read already
            return;
        }
        AsyncContext async = request.startAsync(request, response);
        async.setTimeout(deadline.toMillis());
        AtomicBoolean settled = new AtomicBoolean();
        async.addListener(new AsyncListener() {
            @Override
            public void onTimeout(AsyncEvent event) throws IOException {
                if (settled.compareAndSet(false, true)) {
                    log.debug("request body of {} not complete within {}ms; answered 408", request.getRequestURI(),
                            deadline.toMillis());
                    timedOut(response);
                    async.complete();
                }
            }

            @Override
            public void onComplete(AsyncEvent event) {
            }

            @Override
            public void onError(AsyncEvent event) {
                settled.set(true);
            }

            @Override
            public void onStartAsync(AsyncEvent event) {
            }
        });
        ServletInputStream in = request.getInputStream();
        in.setReadListener(new ReadListener() {
            private final ByteArrayOutputStream body = new ByteArrayOutputStream();
            private final byte[] chunk = new byte[8192];

            @Override
            public void onDataAvailable() throws IOException {
                while (in.isReady() && !in.isFinished()) {
                    int n = in.read(chunk);
                    if (n < 0) {
                        break;
                    }
                    body.write(chunk, 0, n);
                    if (body.size() > maxBytes) {
                        dispatch(body.toByteArray());
                        return;
                    }
                }
            }

            @Override
            public void onAllDataRead() {
                dispatch(body.toByteArray());
            }

            @Override
            public void onError(Throwable error) {
                log.debug("request body of {} not fully read: {}", request.getRequestURI(), error.toString());
                if (settled.compareAndSet(false, true)) {
                    async.complete();
                }
            }

            private void dispatch(byte[] bytes) {
                if (settled.compareAndSet(false, true)) {
                    request.setAttribute(RequestBodies.PREFETCHED, bytes);
                    async.dispatch();
                }
            }
        });
    }

    private void timedOut(HttpServletResponse response) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        byte[] body = ("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":\"request body"
                + " not received within " + deadline.toMillis() + "ms\",\"reason\":\"Timeout\",\"code\":408}")
                .getBytes(StandardCharsets.UTF_8);
        response.setStatus(HttpServletResponse.SC_REQUEST_TIMEOUT);
        response.setHeader("Connection", "close");
        response.setContentType("application/json");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
