package dev.gpushare.scheduler.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpushare.scheduler.cli.HamiFlags.Outcome;
import dev.gpushare.scheduler.cli.HamiFlags.Refused;
import dev.gpushare.scheduler.cli.HamiFlags.Run;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The flag table of {@code docs/operations/migration.md} says what the scheduler does with each HAMi flag: "sets
 * {@code a}, {@code b}" (the flag becomes exactly those properties), "refused", or "{@code false} has no effect;
 * {@code true} is refused". Every row is checked against {@link HamiFlags}.
 */
class MigrationGuideTest {

    private static final Path GUIDE = Path.of("..", "docs", "operations", "migration.md");
    private static final Pattern ROW = Pattern.compile("(?m)^\\| (`-[^|]+) \\| [^|]+ \\| ([^|]+) \\|$");
    private static final Pattern FLAG = Pattern.compile("`(--?[a-z_-]+)`");
    private static final Pattern SETTING = Pattern.compile("`((?:hami|management|logging)\\.[a-z.-]+)`");
    /** A valid value for flags that need one of a kind; others take {@code value}. */
    private static final Map<String, String> SAMPLE = Map.of("--node-lock-timeout", "5m",
            "--node-lock-retry-timeout", "28s", "--metrics-bind-address", ":9395",
            "--node-scheduler-policy", "spread", "--gpu-scheduler-policy", "binpack", "-v", "4",
            "--kube-qps", "5", "--kube-burst", "10", "--kube-timeout", "30");
    private static final Set<String> SWITCHES = Set.of("--force-overwrite-default-scheduler", "--leader-elect",
            "--debug", "--profiling", "--legacy-metrics");

    private static Outcome translate(String flag, String value) {
        return HamiFlags.translate(List.of(flag + "=" + value), PropertyNames.hami());
    }

    @Test
    void everyFlagDoesWhatTheMigrationGuideSays() throws IOException {
        Matcher row = ROW.matcher(Files.readString(GUIDE, StandardCharsets.UTF_8));
        List<String> checked = new ArrayList<>();
        while (row.find()) {
            String effect = row.group(2).strip();
            List<String> flags = FLAG.matcher(row.group(1)).results().map(m -> m.group(1)).toList();
            assertThat(flags).as(row.group()).isNotEmpty();
            List<String> settings = SETTING.matcher(effect.replaceAll("\\(.*", "")).results().map(m -> m.group(1))
                    .toList();
            for (int i = 0; i < flags.size(); i++) {
                String flag = flags.get(i);
                String value = SWITCHES.contains(flag) ? "true" : SAMPLE.getOrDefault(flag, "value");
                if (effect.startsWith("sets ")) {
                    // "`--a`, `--b` | sets `x`, `y`" pairs them in order; otherwise each flag sets all of them.
                    Set<String> said = settings.size() == flags.size() && flags.size() > 1 ? Set.of(settings.get(i))
                            : Set.copyOf(settings);
                    Outcome outcome = translate(flag, value);
                    assertThat(outcome).as(flag).isInstanceOf(Run.class);
                    Set<String> set = ((Run) outcome).springArgs().stream()
                            .map(arg -> arg.substring(2, arg.indexOf('='))).collect(Collectors.toSet());
                    assertThat(set).as("%s: %s", flag, effect).isEqualTo(said);
                } else if (effect.startsWith("refused")) {
                    assertThat(translate(flag, value)).as(flag).isInstanceOf(Refused.class);
                } else {
                    assertThat(effect).as(flag).isEqualTo("`false` has no effect; `true` is refused");
                    assertThat(translate(flag, "false")).as(flag).isEqualTo(new Run(List.of(), List.of("HAMi flag "
                            + flag + "=false is deprecated and has no effect: it is what this scheduler always does;"
                            + " drop it")));
                    assertThat(translate(flag, "true")).as(flag).isInstanceOf(Refused.class);
                }
                checked.add(flag);
            }
        }
        assertThat(checked).as("the flags of the table").contains("--scheduler-name", "--http_bind",
                "--node-lock-timeout", "--leader-elect", "--debug", "-v", "--legacy-metrics", "--kube-qps");
    }
}
