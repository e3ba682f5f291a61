package dev.gpushare.scheduler.bench;

import java.util.List;

/**
 * The long soak ({@link SoakRun}): 10,000 {@code /filter} and {@code /bind} calls from 16 threads onto 8 nodes of 4
 * GPUs by default. Not a test; run with
 * {@code ./mvnw -B -ntp -q -pl scheduler -am test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.gpushare.scheduler.bench.SoakBenchmark -Dsoak.operations=10000 -Dsoak.seed=1}. Exits
 * non-zero when the API objects show a violation.
 */
public final class SoakBenchmark {

    private SoakBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        SoakRun.Settings settings = new SoakRun.Settings(Long.getLong("soak.seed", 1L),
                Integer.getInteger("soak.operations", 10_000), Integer.getInteger("soak.threads", 16),
                Integer.getInteger("soak.nodes", 8));
        SoakRun.Result r = SoakRun.run(settings);
        System.out.printf("%nsoak: seed %d, %d threads, %d nodes x 4 GPUs x 10 slots; %d CPUs, %s %s%n",
                settings.seed(), settings.threads(), settings.nodes(), Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name"), System.getProperty("java.version"));
        System.out.printf("calls %d (filter %d, bind %d: %d answered success, %d duplicated pairs, %d retries of"
                + " bound pods); pods created %d, bound %d (%.0f %%); faults injected %d; leader changes %d; pods"
                + " deleted %d; bound at the end %d; wall %.1f s%n", r.filters() + r.binds(), r.filters(), r.binds(),
                r.bindsOk(), r.duplicateBinds(), r.retriedBinds(), r.podsCreated(), r.podsBound(),
                100.0 * r.podsBound() / Math.max(1, r.podsCreated()), r.faults(), r.leaderChanges(), r.deleted(),
                r.boundAtEnd(), r.wallMillis() / 1000.0);
        System.out.printf("node locks left when the load stopped: %s; probe binds after the expiry: %d;"
                + " violations %d%n", r.locksAtQuiet(), r.probes(), r.violations().size());
        List<String> violations = r.violations();
        violations.stream().limit(20).forEach(v -> System.out.println("  " + v));
        System.exit(violations.isEmpty() ? 0 : 1);
    }
}
