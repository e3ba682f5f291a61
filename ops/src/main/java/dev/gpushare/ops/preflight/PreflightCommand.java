package dev.gpushare.ops.preflight;

import dev.gpushare.ops.Arguments;
import dev.gpushare.ops.ClusterReader;
import dev.gpushare.ops.ExitCode;
import dev.gpushare.ops.Json;
import dev.gpushare.ops.Release;
import dev.gpushare.ops.UsageException;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintStream;
import java.time.Clock;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/** {@code preflight [--output text|json] [--node-lock-expire 5m] [RELEASE FLAGS]}. */
public final class PreflightCommand {

    public static final String USAGE = """
            usage:
              preflight [--output text|json] [--node-lock-expire DURATION] [RELEASE FLAGS]
            the pre-upgrade checklist against the current kubeconfig, one pass/warn/fail line per finding
            exit 0: all pass; 4: warnings, no failure; 3: a check failed
              --output text|json         (default text)
              --node-lock-expire 5m      the scheduler's hami.node-lock.expire: older locks are stale, pods
                                         allocating longer are stuck
            release flags:
            """ + Release.USAGE_TEXT;

    private final Supplier<KubernetesClient> client;
    private final PrintStream out;
    private final Clock clock;

    public PreflightCommand(Supplier<KubernetesClient> client, PrintStream out, Clock clock) {
        this.client = client;
        this.out = out;
        this.clock = clock;
    }

    public ExitCode run(List<String> args) throws UsageException {
        Set<String> valued = new HashSet<>(Release.FLAGS);
        valued.addAll(Set.of("output", "node-lock-expire"));
        Arguments parsed = Arguments.parse(args, valued, Set.of());
        if (!parsed.positionals().isEmpty()) {
            throw new UsageException("preflight takes no argument '" + parsed.positionals().get(0) + "'");
        }
        String output = parsed.oneOf("output", "text", Set.of("text", "json"));
        PreflightSettings settings = new PreflightSettings(
                parsed.duration("node-lock-expire", PreflightSettings.DEFAULT_NODE_LOCK_EXPIRE),
                PreflightSettings.HANDSHAKE_MAX_AGE, PreflightSettings.CERTIFICATE_RENEW);
        Release release = Release.from(parsed);
        List<Check> checks = PreflightChecks.evaluate(ClusterReader.read(client.get(), release), release, settings,
                clock.instant());
        ExitCode result = result(checks);
        if (output.equals("json")) {
            Map<String, Object> document = new LinkedHashMap<>();
            document.put("result", word(result));
            document.put("checks", checks.stream().map(c -> Map.of("check", c.name(), "status", c.status().word(),
                    "message", c.message())).toList());
            out.println(Json.write(document));
        } else {
            checks.forEach(c -> out.println(c.line()));
            out.println("preflight: " + count(checks, Check.Status.PASS) + " pass, " + count(checks, Check.Status.WARN)
                    + " warn, " + count(checks, Check.Status.FAIL) + " fail");
        }
        return result;
    }

    static ExitCode result(List<Check> checks) {
        if (checks.stream().anyMatch(c -> c.status() == Check.Status.FAIL)) {
            return ExitCode.FAILED;
        }
        return checks.stream().anyMatch(c -> c.status() == Check.Status.WARN) ? ExitCode.ATTENTION : ExitCode.OK;
    }

    private static String word(ExitCode result) {
        return switch (result) {
            case FAILED -> "fail";
            case ATTENTION -> "warn";
            default -> "pass";
        };
    }

    private static long count(List<Check> checks, Check.Status status) {
        return checks.stream().filter(c -> c.status() == status).count();
    }
}
