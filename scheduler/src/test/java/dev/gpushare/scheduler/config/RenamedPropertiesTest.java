package dev.gpushare.scheduler.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.logging.DeferredLogs;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.mock.env.MockEnvironment;
import org.springframework.util.unit.DataSize;

/** The old {@code hami.filter.*} names still configure the extender verbs; the new names win. */
class RenamedPropertiesTest {

    private final RenamedProperties processor = new RenamedProperties(new DeferredLogs());

    private static HamiProperties.Extender extender(org.springframework.core.env.ConfigurableEnvironment env) {
        return Binder.get(env).bindOrCreate("hami", HamiProperties.class).extender();
    }

    @Test
    void anOldNameSetsTheNewOne() {
        MockEnvironment environment = new MockEnvironment()
                .withProperty("hami.filter.max-body-bytes", "1MB")
                .withProperty("hami.filter.sync-wait", "2s");

        processor.postProcessEnvironment(environment, new SpringApplication());

        assertThat(extender(environment).maxBodyBytes()).isEqualTo(DataSize.ofMegabytes(1));
        assertThat(extender(environment).syncWait()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void anEnvironmentVariableWithTheOldNameCounts() {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, Map.of("HAMI_FILTER_SYNCWAIT", "3s")));

        processor.postProcessEnvironment(environment, new SpringApplication());

        assertThat(extender(environment).syncWait()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void theNewNameWinsOverTheOldOne() {
        MockEnvironment environment = new MockEnvironment()
                .withProperty("hami.filter.sync-wait", "2s")
                .withProperty("hami.extender.sync-wait", "7s");

        processor.postProcessEnvironment(environment, new SpringApplication());

        assertThat(extender(environment).syncWait()).isEqualTo(Duration.ofSeconds(7));
        assertThat(extender(environment).maxBodyBytes()).isEqualTo(DataSize.ofMegabytes(8));
    }
}
