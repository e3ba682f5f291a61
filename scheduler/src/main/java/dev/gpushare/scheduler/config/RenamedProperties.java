package dev.gpushare.scheduler.config;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.logging.Log;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Accepts the old names of renamed settings (docs/configuration.md, "Renamed settings"): a value set under an old
 * name, in any form Spring's relaxed binding reads ({@code HAMI_FILTER_SYNCWAIT} too), is used for the new name
 * unless the new name is set as well, and one warning names the replacement.
 */
public class RenamedProperties implements EnvironmentPostProcessor {

    /** Old name to new name. */
    static final Map<String, String> RENAMED = Map.of(
            "hami.filter.max-body-bytes", "hami.extender.max-body-bytes",
            "hami.filter.sync-wait", "hami.extender.sync-wait");

    private final Log log;

    public RenamedProperties(DeferredLogFactory logFactory) {
        this.log = logFactory.getLog(RenamedProperties.class);
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        Binder binder = Binder.get(environment);
        Map<String, Object> values = new LinkedHashMap<>();
        RENAMED.forEach((old, current) -> binder.bind(old, String.class).ifBound(value -> {
            if (binder.bind(current, String.class).isBound()) {
                log.warn(old + " is ignored: " + current + " is set too (" + old + " is its old name)");
            } else {
                values.put(current, value);
                log.warn(old + " is deprecated: use " + current);
            }
        }));
        if (!values.isEmpty()) {
            environment.getPropertySources().addLast(new MapPropertySource("gpushareRenamedProperties", values));
        }
    }
}
