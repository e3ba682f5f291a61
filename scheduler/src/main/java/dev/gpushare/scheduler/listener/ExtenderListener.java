package dev.gpushare.scheduler.listener;

import dev.gpushare.scheduler.config.HamiProperties;
import org.apache.catalina.connector.Connector;
import org.apache.tomcat.util.threads.ThreadPoolExecutor;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;

/**
 * The plain-HTTP Tomcat connector of the extender verbs, added beside the main (TLS webhook) connector and bound
 * to {@code hami.extender.address} (loopback by default), with its own worker pool and idle timeout.
 */
public final class ExtenderListener {

    private final Connector connector;

    ExtenderListener(HamiProperties.Extender extender, HamiProperties.Listeners listeners) {
        connector = new Connector(TomcatServletWebServerFactory.DEFAULT_PROTOCOL);
        connector.setPort(extender.port());
        connector.setProperty("address", extender.address());
        connector.setProperty("maxThreads", Integer.toString(extender.maxThreads()));
        String idle = Long.toString(listeners.idleTimeout().toMillis());
        connector.setProperty("connectionTimeout", idle);
        connector.setProperty("keepAliveTimeout", idle);
    }

    /** Its worker pool now, or {@code null} before it has started. */
    ListenerStarvation.Pool pool() {
        if (connector.getProtocolHandler().getExecutor() instanceof ThreadPoolExecutor executor) {
            return new ListenerStarvation.Pool(executor.getActiveCount(), executor.getMaximumPoolSize());
        }
        return null;
    }

    Connector connector() {
        return connector;
    }

    /** The port actually bound (differs from the configured one when that is 0), or -1 before start. */
    public int port() {
        return connector.getLocalPort();
    }
}
