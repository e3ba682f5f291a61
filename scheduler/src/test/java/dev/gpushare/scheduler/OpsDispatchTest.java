package dev.gpushare.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code java -jar scheduler.jar preflight|state|smoke-test ...} runs the ops command; no cluster needed here. */
class OpsDispatchTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int ops(String... args) {
        return SchedulerApplication.ops(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void helpOfEachCommandExitsZero() {
        assertThat(ops("state", "--help")).isZero();
        assertThat(ops("preflight", "--help")).isZero();
        assertThat(ops("smoke-test", "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("state diff BEFORE.json AFTER.json")
                .contains("preflight [--output text|json]").contains("smoke-test --namespace NS");
    }

    @Test
    void aUsageErrorExitsWith2() {
        assertThat(ops("state", "diff", "only-one.json")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("state: state diff needs two files");
    }
}
