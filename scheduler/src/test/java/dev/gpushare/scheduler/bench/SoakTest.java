package dev.gpushare.scheduler.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The short, seeded soak of every build ({@link SoakBenchmark} is the long one; {@code -Dsoak.operations=10000
 * -Dsoak.threads=16 -Dsoak.nodes=8} makes this the same run).
 */
class SoakTest {

    @Test
    void concurrentFilterAndBindWithFaultsAndALeaderChangeLeaveAConsistentCluster() throws Exception {
        SoakRun.Settings settings = new SoakRun.Settings(Long.getLong("soak.seed", 7L),
                Integer.getInteger("soak.operations", 300), Integer.getInteger("soak.threads", 8),
                Integer.getInteger("soak.nodes", 4));

        SoakRun.Result result = SoakRun.run(settings);

        System.out.println("soak: " + result);
        assertThat(result.violations()).isEmpty();
        assertThat(result.filters() + result.binds()).isGreaterThanOrEqualTo(settings.operations());
        assertThat(result.duplicateBinds()).isPositive();
        assertThat(result.retriedBinds()).isPositive();
        assertThat(result.faults()).isPositive();
        assertThat(result.leaderChanges()).isEqualTo(1);
        // The GPUs turn over, so a substantial share of the pods gets bound (a quarter in the 10,000-call run,
        // where binpack sends most binds to one node's lock; docs/benchmarks.md).
        assertThat(result.podsBound()).isGreaterThanOrEqualTo(result.podsCreated() / 5);
        assertThat(result.boundAtEnd()).isPositive();
    }
}
