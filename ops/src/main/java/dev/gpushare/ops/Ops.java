package dev.gpushare.ops;

import dev.gpushare.ops.preflight.PreflightCommand;
import dev.gpushare.ops.smoke.SmokeTestCommand;
import dev.gpushare.ops.state.StateCommand;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.PrintStream;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The operations subcommands of the scheduler's jar: {@code preflight}, {@code state export|diff|restore},
 * {@code smoke-test}. They talk to the cluster of the current kubeconfig (or the in-cluster service account) and
 * exit with an {@link ExitCode} a pipeline can use. {@code --help} on each prints its usage.
 */
public final class Ops {

    /** The first arguments that {@link #run} serves. */
    public static final Set<String> COMMANDS = Set.of("preflight", "state", "smoke-test");

    static final String USAGE = """
            usage:
              preflight [--output text|json] [...]    pre-upgrade checklist (exit 0 pass, 4 warn, 3 fail)
              state export [...] > FILE               every device, allocation, node lock, Lease holder
              state diff BEFORE AFTER                 exit 3 when an allocation was lost or changed
              state restore FILE [--apply] [--force]  put back lost allocation annotations
              smoke-test --namespace NS [...]         one GPU pod through filter, bind and the device plugin
            every command: --help for its flags; exit 1 API error, 2 usage error, 5 forbidden""";

    private Ops() {
    }

    public static boolean handles(String command) {
        return COMMANDS.contains(command);
    }

    /**
     * Runs {@code args} ({@code args[0]} is the command); the client is built only by commands that need the API.
     */
    public static int run(String[] args, Supplier<KubernetesClient> client, PrintStream out, PrintStream err,
                          Clock clock) {
        List<String> all = List.of(args);
        if (all.isEmpty() || !handles(all.get(0))) {
            err.println(USAGE);
            return ExitCode.USAGE.code();
        }
        String command = all.get(0);
        List<String> rest = all.subList(1, all.size());
        if (rest.contains("--help") || rest.contains("-h")) {
            out.println(usage(command));
            return ExitCode.OK.code();
        }
        try {
            ExitCode result = switch (command) {
                case "preflight" -> new PreflightCommand(client, out, clock).run(rest);
                case "state" -> new StateCommand(client, out, err, clock).run(rest);
                default -> new SmokeTestCommand(client, out, clock).run(rest);
            };
            return result.code();
        } catch (UsageException e) {
            err.println(command + ": " + e.getMessage());
            err.println(usage(command));
            return ExitCode.USAGE.code();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 403) {
                err.println(command + ": forbidden: " + e.getStatus().getMessage());
                return ExitCode.FORBIDDEN.code();
            }
            err.println(command + ": API error: " + e.getMessage());
            return ExitCode.API_ERROR.code();
        } catch (RuntimeException e) {
            err.println(command + ": unexpected failure: " + e);
            return ExitCode.API_ERROR.code();
        }
    }

    private static String usage(String command) {
        return switch (command) {
            case "preflight" -> PreflightCommand.USAGE;
            case "state" -> StateCommand.USAGE;
            default -> SmokeTestCommand.USAGE;
        };
    }
}
