package dev.gpushare.scheduler.listener;

import dev.gpushare.scheduler.config.HamiProperties;
import java.time.Clock;
import org.springframework.boot.health.contributor.HealthIndicator;
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
 * <p>{@link BodyPrefetchFilter} reads the bodies of both without holding a thread while a client is slow;
 * {@link ListenerStarvation} tells readiness when the extender's pool is exhausted all the same.
 *
 * <p>{@link ListenerPathFilter} lets only {@code POST /webhook} (served by {@code admission.WebhookController})
 * through on the TLS port, and only the verbs and local probes through on the extender connector.
 */
@Configuration(proxyBeanMethods = false)
class ListenerConfiguration {

    @Bean
    ExtenderListener extenderListener(HamiProperties properties) {
        return new ExtenderListener(properties.extender(), properties.listeners());
    }

    /** Every verb and webhook body read without blocking a thread, within one deadline. */
    @Bean
    FilterRegistrationBean<BodyPrefetchFilter> bodyPrefetchFilter(HamiProperties properties) {
        int largest = Math.max(Math.toIntExact(properties.extender().maxBodyBytes().toBytes()),
                RequestBodies.WEBHOOK_MAX_BYTES);
        FilterRegistrationBean<BodyPrefetchFilter> registration = new FilterRegistrationBean<>(
                new BodyPrefetchFilter(largest, properties.listeners().bodyReadTimeout()));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 1);
        return registration;
    }

    /** Readiness contribution {@code extenderListener}. */
    @Bean
    HealthIndicator extenderListenerHealthIndicator(ExtenderListener extender, HamiProperties properties,
                                                    Clock clock) {
        return new ListenerStarvation(extender::pool, clock, properties.listeners().starvedAfter());
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
