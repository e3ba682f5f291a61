package dev.gpushare.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code java -jar scheduler.jar certgen ...} runs certgen and exits with its code; no cluster needed for usage. */
class CertgenDispatchTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    /** {@code args} as {@code main} gets them, {@code certgen} first. */
    private int certgen(String... args) {
        return SchedulerApplication.certgen(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void aUsageErrorExitsWith2AndExplains() {
        int code = certgen("certgen", "create", "--namespace", "hami");

        assertThat(code).isEqualTo(2);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("certgen: ").contains("--secret-name")
                .contains("certgen create --namespace NS --secret-name NAME --host HOST[,HOST...]");
    }

    @Test
    void anUnknownSubcommandIsAUsageError() {
        assertThat(certgen("certgen", "renew")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("certgen: ").contains("renew");
    }
}
