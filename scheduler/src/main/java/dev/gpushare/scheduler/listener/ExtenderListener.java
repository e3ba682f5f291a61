package dev.gpushare.scheduler.listener;

import dev.gpushare.scheduler.config.HamiProperties;
import org.apache.catalina.connector.Connector;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;

/**
 * The plain-HTTP Tomcat connector of the extender verbs, added beside the main (TLS webhook) connector and bound
 * to {@code hami.extender.address} (loopback by default).
 */
public final class ExtenderListener {

    private final Connector connector;

    ExtenderListener(HamiProperties.Extender extender) {
        connector = new Connector(TomcatServletWebServerFactory.DEFAULT_PROTOCOL);
        connector.setPort(extender.port());
        connector.setProperty("address", extender.address());
    }

    Connector connector() {
        return connector;
    }

    /** The port actually bound (differs from the configured one when that is 0), or -1 before start. */
    public int port() {
        return connector.getLocalPort();
    }
}
