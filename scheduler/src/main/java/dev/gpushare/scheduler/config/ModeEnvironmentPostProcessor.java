package dev.gpushare.scheduler.config;

import dev.gpushare.scheduler.config.HamiProperties.KubernetesMode;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.logging.Log;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Resolves {@code hami.kubernetes.mode} ({@code auto} by default) once, before any bean exists, by
 * {@link ModeSelection}: the resolved value replaces {@code auto}, so the client configuration and every reader of
 * {@link HamiProperties} see {@code cluster} or {@code embedded}. Logs the mode and the reason.
 */
public class ModeEnvironmentPostProcessor implements EnvironmentPostProcessor {

    static final String MODE = "hami.kubernetes.mode";

    private final Log log;
    private final ModeSelection.Surroundings surroundings;

    public ModeEnvironmentPostProcessor(DeferredLogFactory logFactory) {
        this(logFactory, ModeSelection.Surroundings.ofProcess());
    }

    ModeEnvironmentPostProcessor(DeferredLogFactory logFactory, ModeSelection.Surroundings surroundings) {
        this.log = logFactory.getLog(ModeEnvironmentPostProcessor.class);
        this.surroundings = surroundings;
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        String value = environment.getProperty(MODE, "auto").trim();
        KubernetesMode configured;
        try {
            configured = KubernetesMode.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(MODE + " must be auto, cluster or embedded, got \"" + value + "\"");
        }
        ModeSelection.Decision decision = ModeSelection.decide(configured, surroundings);
        environment.getPropertySources().addFirst(new MapPropertySource("gpushareKubernetesMode",
                Map.of(MODE, decision.mode().name().toLowerCase(Locale.ROOT))));
        log.info("kubernetes mode=" + decision.mode().name().toLowerCase(Locale.ROOT) + " (" + decision.reason()
                + ")");
    }
}
