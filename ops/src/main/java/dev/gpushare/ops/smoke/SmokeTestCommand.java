package dev.gpushare.ops.smoke;

import dev.gpushare.common.annotation.AllocationCodec;
import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.common.annotation.MalformedAnnotationException;
import dev.gpushare.common.device.ContainerDevice;
import dev.gpushare.ops.Arguments;
import dev.gpushare.ops.ExitCode;
import dev.gpushare.ops.Release;
import dev.gpushare.ops.UsageException;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientTimeoutException;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * {@code smoke-test --namespace NS}: creates one small GPU pod, waits until it is bound with an allocation and
 * {@code hami.io/bind-phase: success} (or reports the stage where it stopped), and deletes it.
 */
public final class SmokeTestCommand {

    public static final String USAGE = """
            usage:
              smoke-test --namespace NS [--scheduler-name NAME] [--image IMAGE] [--gpu-memory MIB]
                         [--gpu-cores PERCENT] [--timeout DURATION]
            creates pod NS/gpushare-smoke-<unix seconds> asking for 1 GPU, waits until it is bound with an
            allocation and bind-phase success, then deletes it
            exit 0: success; 3: the pod stopped on the way (the line says where)
              --scheduler-name NAME   (default hami-scheduler)
              --image IMAGE           (default busybox:1.36; mirror it for an offline cluster)
              --gpu-memory MIB        nvidia.com/gpumem (default 1024)
              --gpu-cores PERCENT     nvidia.com/gpucores (default 10)
              --timeout DURATION      (default 2m)""";

    static final String NAME_PREFIX = "gpushare-smoke-";

    private final Supplier<KubernetesClient> client;
    private final PrintStream out;
    private final Clock clock;

    public SmokeTestCommand(Supplier<KubernetesClient> client, PrintStream out, Clock clock) {
        this.client = client;
        this.out = out;
        this.clock = clock;
    }

    public ExitCode run(List<String> args) throws UsageException {
        Arguments parsed = Arguments.parse(args, Set.of("namespace", "scheduler-name", "image", "gpu-memory",
                "gpu-cores", "timeout"), Set.of());
        if (!parsed.has("namespace")) {
            throw new UsageException("smoke-test needs --namespace");
        }
        if (!parsed.positionals().isEmpty()) {
            throw new UsageException("smoke-test takes no argument '" + parsed.positionals().get(0) + "'");
        }
        String namespace = parsed.get("namespace", null);
        String schedulerName = parsed.get("scheduler-name", Release.DEFAULT_SCHEDULER_NAME);
        int memory = parsed.positiveInt("gpu-memory", 1024);
        int cores = parsed.positiveInt("gpu-cores", 10);
        if (cores > 100) {
            throw new UsageException("--gpu-cores: at most 100, got " + cores);
        }
        Duration timeout = parsed.duration("timeout", Duration.ofMinutes(2));
        String name = NAME_PREFIX + clock.instant().getEpochSecond();
        Pod pod = new PodBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                .addToLabels("app.kubernetes.io/name", "gpushare-smoke-test").endMetadata()
                .withNewSpec().withSchedulerName(schedulerName).withRestartPolicy("Never")
                .withTerminationGracePeriodSeconds(0L)
                .addNewContainer().withName("smoke").withImage(parsed.get("image", "busybox:1.36"))
                .withCommand("sleep", "3600")
                .withNewResources()
                .addToLimits("nvidia.com/gpu", new Quantity("1"))
                .addToLimits("nvidia.com/gpumem", new Quantity(Integer.toString(memory)))
                .addToLimits("nvidia.com/gpucores", new Quantity(Integer.toString(cores)))
                .endResources().endContainer().endSpec().build();
        KubernetesClient api = client.get();
        String who = namespace + "/" + name;
        api.pods().inNamespace(namespace).resource(pod).create();
        out.println("smoke-test: created pod " + who + " (1 GPU, " + memory + " MiB, " + cores
                + "% cores, schedulerName " + schedulerName + ")");
        try {
            Pod last;
            try {
                last = api.pods().inNamespace(namespace).withName(name).waitUntilCondition(
                        p -> p == null || SmokeStage.of(p) == SmokeStage.SUCCEEDED
                                || SmokeStage.of(p) == SmokeStage.ALLOCATION_FAILED,
                        timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (KubernetesClientTimeoutException e) {
                last = api.pods().inNamespace(namespace).withName(name).get();
            }
            if (last == null) {
                out.println("smoke-test: FAIL: pod " + who + " disappeared before it was allocated");
                return ExitCode.FAILED;
            }
            SmokeStage stage = SmokeStage.of(last);
            if (stage != SmokeStage.SUCCEEDED) {
                out.println("smoke-test: FAIL" + (stage == SmokeStage.ALLOCATION_FAILED ? "" : " after "
                        + timeout.toSeconds() + "s") + ": " + stage.explain(last, schedulerName));
                return ExitCode.FAILED;
            }
            out.println("smoke-test: bound to node " + last.getSpec().getNodeName() + " with " + devices(last));
            out.println("smoke-test: PASS: " + stage.explain(last, schedulerName));
            return ExitCode.OK;
        } finally {
            api.pods().inNamespace(namespace).withName(name).withGracePeriod(0).delete();
            out.println("smoke-test: deleted pod " + who);
        }
    }

    private static String devices(Pod pod) {
        try {
            return AllocationCodec.decode(pod.getMetadata().getAnnotations().get(HamiKeys.DEVICES_ALLOCATED))
                    .devices().stream().map(SmokeTestCommand::device).collect(Collectors.joining(", "));
        } catch (MalformedAnnotationException e) {
            return "an undecodable allocation: " + e.getMessage();
        }
    }

    private static String device(ContainerDevice d) {
        return d.uuid() + " " + d.usedmem() + "MiB " + d.usedcores() + "%";
    }
}
