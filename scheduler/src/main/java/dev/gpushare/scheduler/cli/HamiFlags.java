package dev.gpushare.scheduler.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The command line: Spring property arguments ({@code --hami.bind.lock-wait=5s}, {@code --server.port=...}) pass
 * through; every flag of HAMi's scheduler (v2.10.0 {@code cmd/scheduler}, the flag sets it adds, klog's {@code -v})
 * is either mapped onto our property, with one deprecation notice naming it, or refused with a message naming the
 * replacement; anything else (an unknown flag, an unknown {@code hami.*} property, a stray word) is refused. Pure:
 * the caller prints, logs and exits.
 */
public final class HamiFlags {

    /** What the command line asks for. */
    public sealed interface Outcome permits Run, Help, Version, Refused {
    }

    /** Start the service with these Spring arguments; log each notice once. */
    public record Run(List<String> springArgs, List<String> notices) implements Outcome {
    }

    public record Help() implements Outcome {
    }

    public record Version() implements Outcome {
    }

    /** Do not start: print the message and exit non-zero. */
    public record Refused(String message) implements Outcome {
    }

    /** Our logger namespace that {@code -v} and {@code --debug} turn up. */
    static final String LOG_LEVEL = "logging.level.dev.gpushare";
    private static final int MAX_ECHO = 120;
    private static final String ONLY_NVIDIA = "gpushare schedules NVIDIA GPUs only: leave this vendor to HAMi's"
            + " scheduler (a second scheduler name), or drop the flag";
    private static final String KLOG = "klog's flags have no counterpart: logs go to the console; use logging.*"
            + " properties (logging.level.<package>, logging.file.name)";

    /** How one HAMi flag is handled. */
    private sealed interface Flag permits Mapped, NoEffectWhenFalse, Forbidden, Verbosity {
        default boolean bool() {
            return false;
        }
    }

    /** Mapped onto Spring properties; {@code convert} gives them from the flag's value (or throws). */
    private record Mapped(boolean bool, String names, Function<String, Map<String, String>> convert) implements Flag {
    }

    /** A switch whose {@code false} is what we always do, and whose {@code true} we cannot do. */
    private record NoEffectWhenFalse(String whyNot) implements Flag {
        @Override
        public boolean bool() {
            return true;
        }
    }

    private record Forbidden(boolean bool, String replacement) implements Flag {
    }

    /** klog's {@code -v=N} and HAMi's {@code --debug}: our log level. */
    private record Verbosity(boolean bool) implements Flag {
    }

    private static final Map<String, Flag> FLAGS = table();

    private HamiFlags() {
    }

    /**
     * @param args           the process arguments
     * @param hamiProperties every {@code hami.*} property name of the configuration metadata (canonical form:
     *                       lower case, no {@code -} or {@code _})
     */
    public static Outcome translate(List<String> args, Set<String> hamiProperties) {
        List<String> spring = new ArrayList<>();
        List<String> notices = new ArrayList<>();
        int verbosity = -1;
        boolean debug = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "--help", "-help", "-h", "help":
                    return new Help();
                case "--version", "-version", "version":
                    return new Version();
                default:
                    break;
            }
            if (!arg.startsWith("-") || arg.equals("-") || arg.equals("--")) {
                return new Refused("unexpected argument \"" + echo(arg) + "\": arguments are --<property>=<value>"
                        + " (see --help)");
            }
            String body = arg.startsWith("--") ? arg.substring(2) : arg.substring(1);
            int eq = body.indexOf('=');
            String name = eq < 0 ? body : body.substring(0, eq);
            String value = eq < 0 ? null : body.substring(eq + 1);
            if (name.contains(".")) {
                if (!arg.startsWith("--")) {
                    return new Refused("unknown argument " + echo(arg) + ": a property is --" + echo(name)
                            + "=<value>");
                }
                if (name.toLowerCase(Locale.ROOT).startsWith("hami.") && !hamiProperties.contains(canonical(name))) {
                    return new Refused("unknown property --" + echo(name) + ": no such hami.* setting (see --help"
                            + " and docs/configuration.md)");
                }
                spring.add(arg);
                continue;
            }
            Flag flag = FLAGS.get(name);
            if (flag == null) {
                return new Refused("unknown argument " + echo(arg) + " (see --help)");
            }
            if (value == null) {
                if (flag.bool()) {
                    value = "true";
                } else if (i + 1 < args.size()) {
                    value = args.get(++i);
                } else {
                    return new Refused("HAMi flag --" + name + " needs a value");
                }
            }
            String shown = "--" + name + "=" + echo(value);
            try {
                if (flag instanceof Forbidden f) {
                    return new Refused("HAMi flag " + shown + " is not supported: " + f.replacement());
                } else if (flag instanceof NoEffectWhenFalse f) {
                    if (goBool(value)) {
                        return new Refused("HAMi flag " + shown + " is not supported: " + f.whyNot());
                    }
                    notices.add("HAMi flag " + shown + " is deprecated and has no effect: it is what this"
                            + " scheduler always does; drop it");
                } else if (flag instanceof Verbosity) {
                    if (name.equals("debug")) {
                        debug = goBool(value);
                    } else {
                        verbosity = Math.max(verbosity, nonNegative(value));
                    }
                } else if (flag instanceof Mapped m) {
                    Map<String, String> properties = m.convert().apply(value);
                    StringBuilder set = new StringBuilder();
                    properties.forEach((key, v) -> {
                        spring.add("--" + key + "=" + v);
                        set.append(set.length() == 0 ? "" : ", ").append(key).append('=').append(v);
                    });
                    notices.add("HAMi flag " + shown + " is deprecated: set " + m.names() + " instead (now " + set
                            + ")");
                }
            } catch (IllegalArgumentException e) {
                return new Refused("HAMi flag " + shown + ": " + e.getMessage());
            }
        }
        if (debug || verbosity >= 0) {
            String level = verbosity >= 5 ? "TRACE" : debug || verbosity >= 4 ? "DEBUG" : "INFO";
            // Spring's property arguments come after the translated ones and win, as they are more specific.
            spring.add(0, "--" + LOG_LEVEL + "=" + level);
            notices.add("HAMi flags " + (debug ? "--debug " : "") + (verbosity >= 0 ? "-v=" + verbosity : "")
                    .trim() + " are deprecated: set " + LOG_LEVEL + " instead (now " + LOG_LEVEL + "=" + level + ")");
        }
        return new Run(List.copyOf(spring), List.copyOf(notices));
    }

    /** Every HAMi flag and what becomes of it, for {@code --help}. */
    public static String table(String indent) {
        StringBuilder out = new StringBuilder();
        FLAGS.forEach((name, flag) -> out.append(indent).append(name.length() == 1 ? "-" : "--").append(name)
                .append("  ").append(describe(flag)).append('\n'));
        return out.toString();
    }

    private static String describe(Flag flag) {
        if (flag instanceof Mapped m) {
            return "-> " + m.names();
        }
        if (flag instanceof NoEffectWhenFalse f) {
            return "=false: no effect; =true: refused (" + f.whyNot() + ")";
        }
        if (flag instanceof Forbidden f) {
            return "refused: " + f.replacement();
        }
        return "-> " + LOG_LEVEL + " (--debug or -v=4: DEBUG, -v=5 and up: TRACE)";
    }

    /** A property name as relaxed binding compares it. */
    public static String canonical(String property) {
        return property.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
    }

    private static Map<String, Flag> table() {
        Map<String, Flag> t = new LinkedHashMap<>();
        t.put("http_bind", new Forbidden(false, "HAMi serves /filter, /bind and /webhook on one port; here the"
                + " extender verbs listen on hami.extender.address and hami.extender.port (plain HTTP on loopback:"
                + " point kube-scheduler's extender urlPrefix at http://127.0.0.1:8888) and /webhook on"
                + " hami.webhook.port (TLS)"));
        t.put("cert_file", string("hami.webhook.tls.cert-file"));
        t.put("key_file", string("hami.webhook.tls.key-file"));
        t.put("scheduler-name", new Mapped(false, "hami.scheduler-name", v -> {
            if (v.isBlank()) {
                throw new IllegalArgumentException("an empty scheduler name is not supported: set"
                        + " hami.scheduler-name to the kube-scheduler profile we serve");
            }
            return Map.of("hami.scheduler-name", v);
        }));
        t.put("node-scheduler-policy", string("hami.policy.node"));
        t.put("gpu-scheduler-policy", string("hami.policy.gpu"));
        t.put("metrics-bind-address", new Mapped(false, "management.server.address and management.server.port",
                HamiFlags::bindAddress));
        t.put("node-label-selector", new Forbidden(false, "GPU nodes are not restricted by a label here: give the"
                + " pods a nodeSelector or node affinity"));
        t.put("kube-qps", new Forbidden(false, "there is no client-side rate limit (the API server's priority and"
                + " fairness is the limit): drop the flag"));
        t.put("kube-burst", new Forbidden(false, "there is no client-side rate limit (the API server's priority and"
                + " fairness is the limit): drop the flag"));
        t.put("kube-timeout", new Forbidden(false, "API requests time out after 10s, connections after 5s (fixed, so"
                + " that a verb stays inside kube-scheduler's extender timeout): drop the flag"));
        t.put("profiling", new NoEffectWhenFalse("there is no pprof endpoint; profile with JDK Flight Recorder"
                + " (JAVA_TOOL_OPTIONS=-XX:StartFlightRecording)"));
        t.put("node-lock-timeout", duration("hami.node-lock.expire"));
        t.put("node-lock-retry-timeout", duration("hami.bind.lock-wait"));
        t.put("force-overwrite-default-scheduler", new Mapped(true, "hami.webhook.force-overwrite-default-scheduler",
                v -> Map.of("hami.webhook.force-overwrite-default-scheduler", Boolean.toString(goBool(v)))));
        // HAMi's extender follows the Lease that kube-scheduler beside it elects (pkg/util/leaderelection).
        t.put("leader-elect", new Mapped(true, "hami.leader-election.mode",
                v -> Map.of("hami.leader-election.mode", goBool(v) ? "follow" : "none")));
        t.put("leader-elect-resource-name", string("hami.leader-election.lease-name"));
        t.put("leader-elect-resource-namespace", string("hami.leader-election.lease-namespace"));
        t.put("legacy-metrics", new Mapped(true, "hami.metrics.legacy-names",
                v -> Map.of("hami.metrics.legacy-names", Boolean.toString(goBool(v)))));
        t.put("device-config-file", string("hami.device-config-file"));
        t.put("debug", new Verbosity(true));
        t.put("v", new Verbosity(false));
        for (String vendor : List.of("enable-ascend", "enable-iluvatar", "sgpu-topology-aware")) {
            t.put(vendor, new NoEffectWhenFalse(ONLY_NVIDIA));
        }
        for (String vendor : List.of("cambricon-mlu-name", "cambricon-mlu-memory", "cambricon-mlu-cores",
                "enflame-gcu-resource-name", "enflame-drs-gcu-resource-name", "enflame-gcu-memory-resource-name",
                "enflame-gcu-core-resource-name", "enflame-vgcu-resource-name", "enflame-vgcu-legacy-resource-name",
                "enflame-vgcu-percentage-resource-name", "dcu-name", "dcu-memory", "dcu-cores", "kunlun-name",
                "kunlun-vcount", "kunlun-vmemory", "metax-name", "metax-vcount", "metax-vcore", "metax-vmemory",
                "mthreads-name", "mthreads-memory", "mthreads-cores")) {
            t.put(vendor, new Forbidden(false, ONLY_NVIDIA));
        }
        for (String klog : List.of("add_dir_header", "alsologtostderr", "logtostderr", "one_output", "skip_headers",
                "skip_log_headers")) {
            t.put(klog, new Forbidden(true, KLOG));
        }
        for (String klog : List.of("log_backtrace_at", "log_dir", "log_file", "log_file_max_size", "stderrthreshold",
                "vmodule")) {
            t.put(klog, new Forbidden(false, KLOG));
        }
        return t;
    }

    private static Flag string(String property) {
        return new Mapped(false, property, v -> Map.of(property, v));
    }

    private static Flag duration(String property) {
        return new Mapped(false, property, v -> {
            Duration d = GoDuration.parse(v);
            return Map.of(property, d.toString());
        });
    }

    /** {@code :9395}, {@code 127.0.0.1:9395}, {@code [::1]:9395}. */
    private static Map<String, String> bindAddress(String value) {
        int colon = value.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("expected [host]:port");
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = nonNegative(value.substring(colon + 1));
        if (port > 65535) {
            throw new IllegalArgumentException("port out of range");
        }
        Map<String, String> properties = new LinkedHashMap<>();
        if (!host.isEmpty()) {
            properties.put("management.server.address", host);
        }
        properties.put("management.server.port", Integer.toString(port));
        return properties;
    }

    /** Go's {@code strconv.ParseBool}. */
    private static boolean goBool(String value) {
        return switch (value) {
            case "1", "t", "T", "true", "TRUE", "True" -> true;
            case "0", "f", "F", "false", "FALSE", "False" -> false;
            default -> throw new IllegalArgumentException("expected true or false");
        };
    }

    private static int nonNegative(String value) {
        if (!value.matches("\\d{1,9}")) {
            throw new IllegalArgumentException("expected a non-negative integer");
        }
        return Integer.parseInt(value);
    }

    /** Values reach log lines and messages: control characters escaped, long ones cut. */
    static String echo(String value) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < value.length() && out.length() < MAX_ECHO; i++) {
            char c = value.charAt(i);
            out.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return value.length() > MAX_ECHO ? out + "..." : out.toString();
    }
}
