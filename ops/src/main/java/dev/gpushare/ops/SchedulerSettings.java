package dev.gpushare.ops;

import dev.gpushare.common.annotation.AllocationEncoding;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** What the scheduler Deployment says about our settings (env var or command-line property), read without Spring. */
public final class SchedulerSettings {

    static final String ENCODING_ENV = "HAMI_COMPAT_ALLOCATIONENCODING";
    static final String ENCODING_ARG = "--hami.compat.allocation-encoding=";

    private SchedulerSettings() {
    }

    /** The configured encoding and where it was read; {@code v2.8} (the default) when the Deployment sets none. */
    public record Encoding(AllocationEncoding encoding, String source) {
    }

    public static Encoding allocationEncoding(Optional<Deployment> deployment) {
        for (Container container : containers(deployment.map(d -> d.getSpec() == null ? null
                : d.getSpec().getTemplate()).orElse(null))) {
            for (EnvVar env : container.getEnv() == null ? List.<EnvVar>of() : container.getEnv()) {
                if (ENCODING_ENV.equals(env.getName()) && env.getValue() != null) {
                    return parsed(env.getValue(), "env " + ENCODING_ENV + " of container " + container.getName());
                }
            }
            for (String arg : args(container)) {
                if (arg.startsWith(ENCODING_ARG)) {
                    return parsed(arg.substring(ENCODING_ARG.length()), "argument of container " + container.getName());
                }
            }
        }
        return new Encoding(AllocationEncoding.V2_8, "default");
    }

    private static Encoding parsed(String value, String source) {
        return AllocationEncoding.fromValue(value.trim()).map(e -> new Encoding(e, source))
                .orElse(new Encoding(AllocationEncoding.V2_8, source + " has unknown value '" + value
                        + "', the scheduler refuses to start with it"));
    }

    /** The containers of a pod template; empty when any part is missing. */
    public static List<Container> containers(PodTemplateSpec template) {
        if (template == null || template.getSpec() == null || template.getSpec().getContainers() == null) {
            return List.of();
        }
        return template.getSpec().getContainers();
    }

    private static List<String> args(Container container) {
        List<String> all = new ArrayList<>();
        if (container.getCommand() != null) {
            all.addAll(container.getCommand());
        }
        if (container.getArgs() != null) {
            all.addAll(container.getArgs());
        }
        return all;
    }
}
