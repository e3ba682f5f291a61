package dev.gpushare.ops.state;

import dev.gpushare.ops.Arguments;
import dev.gpushare.ops.ClusterFacts;
import dev.gpushare.ops.ClusterReader;
import dev.gpushare.ops.ExitCode;
import dev.gpushare.ops.Json;
import dev.gpushare.ops.Release;
import dev.gpushare.ops.UsageException;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/** {@code state export | diff A B | restore FILE [--apply] [--force]}: the API side of the state model. */
public final class StateCommand {

    public static final String USAGE = """
            usage:
              state export [RELEASE FLAGS]                 one JSON document on standard output
              state diff BEFORE.json AFTER.json            exit 3 when an allocation was lost or changed
              state restore FILE [--apply] [--force] [RELEASE FLAGS]
                                                           put back lost allocation annotations (dry run
                                                           without --apply; pods whose annotations differ
                                                           from FILE are refused unless --force)
            release flags:
            """ + Release.USAGE_TEXT;

    private final Supplier<KubernetesClient> client;
    private final PrintStream out;
    private final PrintStream err;
    private final Clock clock;

    public StateCommand(Supplier<KubernetesClient> client, PrintStream out, PrintStream err, Clock clock) {
        this.client = client;
        this.out = out;
        this.err = err;
        this.clock = clock;
    }

    public ExitCode run(List<String> args) throws UsageException {
        if (args.isEmpty()) {
            throw new UsageException("state needs a subcommand: export, diff or restore");
        }
        List<String> rest = args.subList(1, args.size());
        switch (args.get(0)) {
            case "export": {
                Arguments parsed = Arguments.parse(rest, Release.FLAGS, Set.of());
                noPositionals(parsed, "state export");
                ClusterFacts facts = ClusterReader.read(client.get(), Release.from(parsed));
                out.println(Json.write(StateExporter.export(facts, clock.instant())));
                return ExitCode.OK;
            }
            case "diff": {
                Arguments parsed = Arguments.parse(rest, Set.of(), Set.of());
                if (parsed.positionals().size() != 2) {
                    throw new UsageException("state diff needs two files, BEFORE and AFTER");
                }
                return diff(read(parsed.positionals().get(0)), read(parsed.positionals().get(1)));
            }
            case "restore": {
                Set<String> valued = new HashSet<>(Release.FLAGS);
                Arguments parsed = Arguments.parse(rest, valued, Set.of("apply", "force"));
                if (parsed.positionals().size() != 1) {
                    throw new UsageException("state restore needs one file");
                }
                StateDocument exported = read(parsed.positionals().get(0));
                return restore(exported, parsed.has("apply"), parsed.has("force"));
            }
            default:
                throw new UsageException("unknown state subcommand '" + args.get(0)
                        + "' (expected export, diff or restore)");
        }
    }

    private ExitCode diff(StateDocument before, StateDocument after) {
        List<StateDiff.Difference> differences = StateDiff.compare(before, after);
        boolean failed = differences.stream().anyMatch(d -> d.kind().fails());
        if (!failed) {
            long pods = after.allocations().stream().map(StateDocument.Allocation::uid).distinct().count();
            out.println("no difference in allocations: " + after.allocations().size() + " GPU allocations of "
                    + pods + " pods as before");
        }
        differences.forEach(d -> out.println(d.line()));
        return failed ? ExitCode.FAILED : ExitCode.OK;
    }

    private ExitCode restore(StateDocument exported, boolean apply, boolean force) {
        KubernetesClient api = client.get();
        List<Pod> pods = api.pods().inAnyNamespace().list().getItems();
        List<RestorePlan.Step> steps = RestorePlan.plan(exported, pods, force);
        boolean refused = false;
        int pending = 0;
        for (RestorePlan.Step step : steps) {
            if (step instanceof RestorePlan.Refuse) {
                refused = true;
                out.println(step.line());
            } else if (step instanceof RestorePlan.Restore restore) {
                if (!apply) {
                    pending++;
                    out.println(step.line() + " (dry run)");
                } else if (write(api, restore)) {
                    out.println(step.line());
                } else {
                    refused = true;
                }
            } else {
                out.println(step.line());
            }
        }
        if (pending > 0) {
            out.println(pending + " pods to restore: rerun with --apply to write");
        }
        if (refused) {
            return ExitCode.FAILED;
        }
        return pending > 0 ? ExitCode.ATTENTION : ExitCode.OK;
    }

    /** One merge patch guarded by the resourceVersion the plan was made from. */
    private boolean write(KubernetesClient api, RestorePlan.Restore restore) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("resourceVersion", restore.resourceVersion());
        metadata.put("annotations", restore.annotations());
        if (!restore.labels().isEmpty()) {
            metadata.put("labels", restore.labels());
        }
        try {
            api.pods().inNamespace(restore.namespace()).withName(restore.name())
                    .patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(Map.of("metadata", metadata)));
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                out.println("refuse   " + restore.pod() + ": the pod changed while restoring (409 Conflict);"
                        + " rerun the restore");
                return false;
            }
            throw e;
        }
    }

    private static void noPositionals(Arguments parsed, String command) throws UsageException {
        if (!parsed.positionals().isEmpty()) {
            throw new UsageException(command + " takes no argument '" + parsed.positionals().get(0) + "'");
        }
    }

    private static StateDocument read(String file) throws UsageException {
        String text;
        try {
            text = Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UsageException("cannot read " + file + ": " + e);
        }
        JsonNode tree;
        try {
            tree = Json.read(text, JsonNode.class);
        } catch (JacksonException e) {
            throw new UsageException(file + " is not JSON: " + e.getOriginalMessage());
        }
        String format = tree.path("format").asString("");
        if (!StateDocument.FORMAT.equals(format)) {
            throw new UsageException(file + " is not a state export: format '" + format + "', expected '"
                    + StateDocument.FORMAT + "'");
        }
        StateDocument document;
        try {
            document = Json.convert(tree, StateDocument.class);
        } catch (JacksonException e) {
            throw new UsageException(file + " is not a complete state export: " + e.getOriginalMessage());
        }
        return document;
    }
}
