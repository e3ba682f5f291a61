package dev.gpushare.scheduler.listener;

import dev.gpushare.scheduler.config.HamiProperties;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * The listeners of the main web server: the TLS webhook port is Spring's own server ({@code server.port} =
 * {@code hami.webhook.port}, PEM SSL bundle {@code webhook} reloaded when the files change); the extender is an
 * extra plain connector. The management server (metrics, probes) is Spring's separate management context.
 *
 * <p>{@link ListenerPathFilter} lets only {@code POST /webhook} (served by {@code webhook.WebhookController})
 * through on the TLS port, and only the verbs and local probes through on the extender connector.
 */
@Configuration(proxyBeanMethods = false)
class ListenerConfiguration {

    @Bean
    ExtenderListener extenderListener(HamiProperties properties) {
        return new ExtenderListener(properties.extender());
    }

    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> extenderConnectorCustomizer(ExtenderListener extender) {
        return factory -> factory.addAdditionalConnectors(extender.connector());
    }

    @Bean
    FilterRegistrationBean<ListenerPathFilter> listenerPathFilter(ExtenderListener extender) {
        FilterRegistrationBean<ListenerPathFilter> registration =
                new FilterRegistrationBean<>(new ListenerPathFilter(extender));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }
}
