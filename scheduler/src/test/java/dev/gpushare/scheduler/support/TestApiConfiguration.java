package dev.gpushare.scheduler.support;

import dev.gpushare.scheduler.embedded.TestApiServerDispatcher;
import dev.gpushare.scheduler.listener.ExtenderListener;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/** The test dispatcher replaces the embedded API's one; an HTTP client for the extender listener. */
@TestConfiguration(proxyBeanMethods = false)
public class TestApiConfiguration {

    @Bean
    TestApiServerDispatcher apiServerDispatcher() {
        return new TestApiServerDispatcher();
    }

    @Bean
    ExtenderClient extenderClient(ExtenderListener listener) {
        return new ExtenderClient(listener);
    }
}
