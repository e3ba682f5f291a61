package dev.gpushare.ops;

import dev.gpushare.common.annotation.AllocationEncoding;
import dev.gpushare.common.seal.PlacementTrust;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/** What the scheduler Deployment says about our settings (env var or command-line property), read without Spring. */
public final class SchedulerSettings {

    static final String ENCODING_ENV = "HAMI_COMPAT_ALLOCATIONENCODING";
    static final String LEASE_ENV = "HAMI_LEADERELECTION_LEASENAME";
    /** The scheduler's default {@code hami.leader-election.lease-name}. */
    static final String DEFAULT_LEASE = "hami-scheduler";
    static final String ENCODING_ARG = "--hami.compat.allocation-encoding=";
    static final String SEAL_KEY_ENV = "HAMI_LEDGER_SEALKEYFILE";
    static final String TRUST_UNSEALED_ENV = "HAMI_LEDGER_TRUSTUNSEALED";
    static final String CUT_OFF_ENV = "HAMI_LEDGER_TRUSTUNSEALEDBEFORE";

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

    /** The Lease the scheduler follows or elects on: env {@value #LEASE_ENV} of the Deployment, else the default. */
    public static String leaseName(Optional<Deployment> deployment) {
        for (Container container : containers(deployment.map(d -> d.getSpec() == null ? null
                : d.getSpec().getTemplate()).orElse(null))) {
            for (EnvVar env : container.getEnv() == null ? List.<EnvVar>of() : container.getEnv()) {
                if (LEASE_ENV.equals(env.getName()) && env.getValue() != null && !env.getValue().isBlank()) {
                    return env.getValue().trim();
                }
            }
        }
        return DEFAULT_LEASE;
    }

    /**
     * Which unsealed allocations the scheduler's ledger counts, as its Deployment configures it: env
     * {@value #TRUST_UNSEALED_ENV} and {@value #CUT_OFF_ENV} (a literal, or a key of {@code cutOffSecret}, the Secret
     * that env var refers to). Empty when the scheduler seals no placements (no {@value #SEAL_KEY_ENV}: HAMi's Go
     * scheduler, or a version of ours before seals), so that no ledger ignores anything yet.
     */
    public static Optional<PlacementTrust.UnsealedPolicy> unsealedPolicy(Optional<Deployment> deployment,
                                                                         Optional<Secret> cutOffSecret) {
        List<EnvVar> env = env(deployment);
        if (env.stream().noneMatch(e -> SEAL_KEY_ENV.equals(e.getName()))) {
            return Optional.empty();
        }
        boolean trustAll = env.stream().anyMatch(e -> TRUST_UNSEALED_ENV.equals(e.getName())
                && "true".equalsIgnoreCase(String.valueOf(e.getValue()).trim()));
        Optional<String> cutOff = env.stream().filter(e -> CUT_OFF_ENV.equals(e.getName())).findFirst()
                .flatMap(e -> e.getValue() != null ? Optional.of(e.getValue())
                        : cutOffSecret.map(Secret::getData).map(data -> data.get(cutOffKey(e)))
                        .map(b64 -> new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8)));
        return Optional.of(new PlacementTrust.UnsealedPolicy(trustAll, cutOff.flatMap(SchedulerSettings::instant)));
    }

    /** The Secret whose key {@value #CUT_OFF_ENV} refers to, if it refers to one. */
    public static Optional<String> cutOffSecret(Optional<Deployment> deployment) {
        return env(deployment).stream().filter(e -> CUT_OFF_ENV.equals(e.getName()) && e.getValueFrom() != null
                        && e.getValueFrom().getSecretKeyRef() != null)
                .map(e -> e.getValueFrom().getSecretKeyRef().getName()).findFirst();
    }

    private static String cutOffKey(EnvVar env) {
        return env.getValueFrom() == null || env.getValueFrom().getSecretKeyRef() == null ? ""
                : env.getValueFrom().getSecretKeyRef().getKey();
    }

    private static Optional<Instant> instant(String value) {
        try {
            return value.isBlank() ? Optional.empty() : Optional.of(OffsetDateTime.parse(value.trim()).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static List<EnvVar> env(Optional<Deployment> deployment) {
        List<EnvVar> all = new ArrayList<>();
        for (Container container : containers(deployment.map(d -> d.getSpec() == null ? null
                : d.getSpec().getTemplate()).orElse(null))) {
            if (container.getEnv() != null) {
                all.addAll(container.getEnv());
            }
        }
        return all;
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
