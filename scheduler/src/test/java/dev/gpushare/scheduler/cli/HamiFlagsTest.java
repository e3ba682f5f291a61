package dev.gpushare.scheduler.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpushare.scheduler.cli.HamiFlags.Outcome;
import dev.gpushare.scheduler.cli.HamiFlags.Refused;
import dev.gpushare.scheduler.cli.HamiFlags.Run;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class HamiFlagsTest {

    private static final Set<String> KNOWN = PropertyNames.hami();

    private static Outcome translate(String... args) {
        return HamiFlags.translate(List.of(args), KNOWN);
    }

    /** HAMi flag (as its chart or docs pass it) -> the Spring arguments it becomes. */
    static Stream<Arguments> mapped() {
        return Stream.of(
                Arguments.of("--cert_file=/tls/tls.crt", List.of("--hami.webhook.tls.cert-file=/tls/tls.crt")),
                Arguments.of("--key_file=/tls/tls.key", List.of("--hami.webhook.tls.key-file=/tls/tls.key")),
                Arguments.of("--scheduler-name=hami-scheduler", List.of("--hami.scheduler-name=hami-scheduler")),
                Arguments.of("--node-scheduler-policy=spread", List.of("--hami.policy.node=spread")),
                Arguments.of("--gpu-scheduler-policy=binpack", List.of("--hami.policy.gpu=binpack")),
                Arguments.of("--metrics-bind-address=:9395", List.of("--management.server.port=9395")),
                Arguments.of("--metrics-bind-address=127.0.0.1:9396",
                        List.of("--management.server.address=127.0.0.1", "--management.server.port=9396")),
                Arguments.of("--metrics-bind-address=[::1]:9396",
                        List.of("--management.server.address=::1", "--management.server.port=9396")),
                Arguments.of("--node-lock-timeout=5m", List.of("--hami.node-lock.expire=PT5M")),
                Arguments.of("--node-lock-timeout=1h30m", List.of("--hami.node-lock.expire=PT1H30M")),
                Arguments.of("--node-lock-retry-timeout=28s", List.of("--hami.bind.lock-wait=PT28S")),
                Arguments.of("--node-lock-retry-timeout=0", List.of("--hami.bind.lock-wait=PT0S")),
                Arguments.of("--node-lock-retry-timeout=1.5s", List.of("--hami.bind.lock-wait=PT1.5S")),
                Arguments.of("--force-overwrite-default-scheduler=false",
                        List.of("--hami.webhook.force-overwrite-default-scheduler=false")),
                Arguments.of("--force-overwrite-default-scheduler",
                        List.of("--hami.webhook.force-overwrite-default-scheduler=true")),
                Arguments.of("--leader-elect=true", List.of("--hami.leader-election.mode=follow")),
                Arguments.of("--leader-elect=false", List.of("--hami.leader-election.mode=none")),
                Arguments.of("--leader-elect-resource-name=hami-scheduler",
                        List.of("--hami.leader-election.lease-name=hami-scheduler")),
                Arguments.of("--leader-elect-resource-namespace=kube-system",
                        List.of("--hami.leader-election.lease-namespace=kube-system")),
                Arguments.of("--device-config-file=/device-config.yaml",
                        List.of("--hami.device-config-file=/device-config.yaml")),
                Arguments.of("--debug", List.of("--logging.level.dev.gpushare=DEBUG")),
                Arguments.of("-v=4", List.of("--logging.level.dev.gpushare=DEBUG")),
                Arguments.of("--v=5", List.of("--logging.level.dev.gpushare=TRACE")),
                Arguments.of("-v=2", List.of("--logging.level.dev.gpushare=INFO")),
                Arguments.of("--profiling=false", List.of()),
                Arguments.of("--enable-ascend=false", List.of()),
                Arguments.of("--legacy-metrics=false", List.of("--hami.metrics.legacy-names=false")),
                Arguments.of("--legacy-metrics=true", List.of("--hami.metrics.legacy-names=true")),
                Arguments.of("--legacy-metrics", List.of("--hami.metrics.legacy-names=true")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void mapped(String flag, List<String> spring) {
        Outcome outcome = translate(flag);
        assertThat(outcome).isInstanceOf(Run.class);
        Run run = (Run) outcome;
        assertThat(run.springArgs()).isEqualTo(spring);
        assertThat(run.notices()).hasSize(1);
        assertThat(run.notices().get(0)).startsWith("HAMi flag").contains("deprecated");
    }

    @Test
    void aDeprecationLineNamesTheProperty() {
        assertThat(((Run) translate("--node-lock-retry-timeout=28s")).notices()).containsExactly("HAMi flag"
                + " --node-lock-retry-timeout=28s is deprecated: set hami.bind.lock-wait instead (now"
                + " hami.bind.lock-wait=PT28S)");
        assertThat(((Run) translate("--debug", "-v=4")).notices()).containsExactly("HAMi flags --debug -v=4 are"
                + " deprecated: set logging.level.dev.gpushare instead (now logging.level.dev.gpushare=DEBUG)");
        assertThat(((Run) translate("--profiling=false")).notices()).containsExactly("HAMi flag --profiling=false"
                + " is deprecated and has no effect: it is what this scheduler always does; drop it");
        assertThat(((Run) translate("--legacy-metrics=true")).notices()).containsExactly("HAMi flag"
                + " --legacy-metrics=true is deprecated: set hami.metrics.legacy-names instead (now"
                + " hami.metrics.legacy-names=true)");
    }

    /** The extender's arguments of HAMi's v2.10.0 chart with its default values (templates/scheduler/deployment.yaml). */
    @Test
    void hamiChartArgumentsWithoutTheHttpBind() {
        Run run = (Run) translate("--cert_file=/tls/tls.crt", "--key_file=/tls/tls.key",
                "--scheduler-name=hami-scheduler", "--metrics-bind-address=:9395", "--node-scheduler-policy=binpack",
                "--gpu-scheduler-policy=spread", "--force-overwrite-default-scheduler=true",
                "--device-config-file=/device-config.yaml", "--leader-elect=true",
                "--leader-elect-resource-name=hami-scheduler", "--leader-elect-resource-namespace=hami-system",
                "--debug", "-v=4");
        assertThat(run.springArgs()).containsExactly("--logging.level.dev.gpushare=DEBUG",
                "--hami.webhook.tls.cert-file=/tls/tls.crt", "--hami.webhook.tls.key-file=/tls/tls.key",
                "--hami.scheduler-name=hami-scheduler", "--management.server.port=9395", "--hami.policy.node=binpack",
                "--hami.policy.gpu=spread", "--hami.webhook.force-overwrite-default-scheduler=true",
                "--hami.device-config-file=/device-config.yaml", "--hami.leader-election.mode=follow",
                "--hami.leader-election.lease-name=hami-scheduler",
                "--hami.leader-election.lease-namespace=hami-system");
        assertThat(run.notices()).hasSize(12);
    }

    @Test
    void aValueMayFollowAsTheNextArgument() {
        assertThat(((Run) translate("--scheduler-name", "gpu", "--hami.bind.lock-wait=5s")).springArgs())
                .containsExactly("--hami.scheduler-name=gpu", "--hami.bind.lock-wait=5s");
        assertThat(translate("--scheduler-name")).isEqualTo(new Refused("HAMi flag --scheduler-name needs a value"));
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("--http_bind=0.0.0.0:443", "HAMi flag --http_bind=0.0.0.0:443 is not supported: HAMi"
                        + " serves /filter, /bind and /webhook on one port; here the extender verbs listen on"
                        + " hami.extender.address and hami.extender.port (plain HTTP on loopback: point"
                        + " kube-scheduler's extender urlPrefix at http://127.0.0.1:8888) and /webhook on"
                        + " hami.webhook.port (TLS)"),
                Arguments.of("--node-label-selector=gpu=on", "HAMi flag --node-label-selector=gpu=on is not"
                        + " supported: GPU nodes are not restricted by a label here: give the pods a nodeSelector or"
                        + " node affinity"),
                Arguments.of("--kube-qps=50", "HAMi flag --kube-qps=50 is not supported: there is no client-side"
                        + " rate limit (the API server's priority and fairness is the limit): drop the flag"),
                Arguments.of("--kube-burst=100", "HAMi flag --kube-burst=100 is not supported: there is no"
                        + " client-side rate limit (the API server's priority and fairness is the limit): drop the"
                        + " flag"),
                Arguments.of("--kube-timeout=30", "HAMi flag --kube-timeout=30 is not supported: API requests time"
                        + " out after 10s, connections after 5s (fixed, so that a verb stays inside kube-scheduler's"
                        + " extender timeout): drop the flag"),
                Arguments.of("--profiling", "HAMi flag --profiling=true is not supported: there is no pprof"
                        + " endpoint; profile with JDK Flight Recorder (JAVA_TOOL_OPTIONS=-XX:StartFlightRecording)"),
                Arguments.of("--enable-iluvatar=true", "HAMi flag --enable-iluvatar=true is not supported: gpushare"
                        + " schedules NVIDIA GPUs only: leave this vendor to HAMi's scheduler (a second scheduler"
                        + " name), or drop the flag"),
                Arguments.of("--dcu-name=hygon.com/dcunum", "HAMi flag --dcu-name=hygon.com/dcunum is not"
                        + " supported: gpushare schedules NVIDIA GPUs only: leave this vendor to HAMi's scheduler (a"
                        + " second scheduler name), or drop the flag"),
                Arguments.of("--logtostderr", "HAMi flag --logtostderr=true is not supported: klog's flags have no"
                        + " counterpart: logs go to the console; use logging.* properties (logging.level.<package>,"
                        + " logging.file.name)"),
                Arguments.of("--scheduler-name=", "HAMi flag --scheduler-name=: an empty scheduler name is not"
                        + " supported: set hami.scheduler-name to the kube-scheduler profile we serve"),
                Arguments.of("--node-lock-timeout=5 minutes", "HAMi flag --node-lock-timeout=5 minutes: expected a Go"
                        + " duration such as 5m, 1h30m or 28s"),
                Arguments.of("--leader-elect=yes", "HAMi flag --leader-elect=yes: expected true or false"),
                Arguments.of("-v=high", "HAMi flag --v=high: expected a non-negative integer"),
                Arguments.of("--metrics-bind-address=9395", "HAMi flag --metrics-bind-address=9395: expected"
                        + " [host]:port"),
                Arguments.of("--bogus", "unknown argument --bogus (see --help)"),
                Arguments.of("--port=80", "unknown argument --port=80 (see --help)"),
                Arguments.of("--hami.bind.lock-wiat=5s", "unknown property --hami.bind.lock-wiat: no such hami.*"
                        + " setting (see --help and docs/configuration.md)"),
                Arguments.of("-hami.bind.lock-wait=5s", "unknown argument -hami.bind.lock-wait=5s: a property is"
                        + " --hami.bind.lock-wait=<value>"),
                Arguments.of("scheduler", "unexpected argument \"scheduler\": arguments are --<property>=<value> (see"
                        + " --help)"),
                Arguments.of("--bad\nINFO forged=1", "unknown argument --bad\\u000aINFO forged=1 (see --help)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void refused(String arg, String message) {
        assertThat(translate("--hami.scheduler-name=x", arg)).isEqualTo(new Refused(message));
    }

    @Test
    void springPropertiesPassThroughInRelaxedForms() {
        assertThat(((Run) translate("--hami.bind.lockWait=5s", "--hami.node_lock.expire=1m", "--server.port=1",
                "--spring.main.banner-mode=log")).springArgs()).containsExactly("--hami.bind.lockWait=5s",
                "--hami.node_lock.expire=1m", "--server.port=1", "--spring.main.banner-mode=log");
        assertThat(((Run) translate()).notices()).isEmpty();
    }

    @Test
    void helpAndVersion() {
        assertThat(translate("--hami.bind.lock-wait=1s", "--help")).isInstanceOf(HamiFlags.Help.class);
        assertThat(translate("-h")).isInstanceOf(HamiFlags.Help.class);
        assertThat(translate("--version")).isInstanceOf(HamiFlags.Version.class);
        assertThat(translate("version")).isInstanceOf(HamiFlags.Version.class);
    }

    /**
     * Every flag that HAMi v2.10.0's scheduler defines ({@code cmd/scheduler/main.go}, the vendors' flag sets under
     * {@code pkg/device}, {@code --debug}, {@code --device-config-file}, klog's {@code -v}) has a line in
     * {@code --help}.
     */
    @Test
    void everyHamiFlagOfTheTableIsDescribed() {
        String table = "\n" + HamiFlags.table("");
        for (String flag : List.of("--http_bind", "--cert_file", "--key_file", "--scheduler-name",
                "--node-scheduler-policy", "--gpu-scheduler-policy", "--metrics-bind-address", "--node-label-selector",
                "--kube-qps", "--kube-burst", "--kube-timeout", "--profiling", "--node-lock-timeout",
                "--node-lock-retry-timeout", "--force-overwrite-default-scheduler", "--leader-elect",
                "--leader-elect-resource-name", "--leader-elect-resource-namespace", "--legacy-metrics",
                "--device-config-file", "--debug", "-v", "--enable-ascend", "--enable-iluvatar",
                "--sgpu-topology-aware", "--cambricon-mlu-name", "--cambricon-mlu-memory", "--cambricon-mlu-cores",
                "--enflame-gcu-resource-name", "--enflame-drs-gcu-resource-name", "--enflame-gcu-memory-resource-name",
                "--enflame-gcu-core-resource-name", "--enflame-vgcu-resource-name",
                "--enflame-vgcu-legacy-resource-name", "--enflame-vgcu-percentage-resource-name", "--dcu-name",
                "--dcu-memory", "--dcu-cores", "--kunlun-name", "--kunlun-vcount", "--kunlun-vmemory", "--metax-name",
                "--metax-vcount", "--metax-vcore", "--metax-vmemory", "--mthreads-name", "--mthreads-memory",
                "--mthreads-cores")) {
            assertThat(table).contains("\n" + flag + "  ");
        }
    }
}
