package dev.gpushare.scheduler.listener;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Set;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Keeps each listener of the main web server to its own paths: the extender connector serves only the verbs and
 * the local health checks; the TLS webhook port serves only {@code /webhook}. Anything else is 404, so a verb is
 * never reachable from outside the pod.
 */
final class ListenerPathFilter extends OncePerRequestFilter {

    static final Set<String> EXTENDER_PATHS = Set.of("/filter", "/bind", "/healthz", "/readyz");
    static final Set<String> WEBHOOK_PATHS = Set.of("/webhook");

    private final ExtenderListener extender;

    ListenerPathFilter(ExtenderListener extender) {
        this.extender = extender;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Set<String> allowed = request.getLocalPort() == extender.port() ? EXTENDER_PATHS : WEBHOOK_PATHS;
        if (allowed.contains(request.getRequestURI())) {
            chain.doFilter(request, response);
        } else {
            response.setStatus(HttpServletResponse.SC_NOT_FOUND);
        }
    }
}
