package dev.gpushare.scheduler.support;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The reader of dashboard PromQL tells series from functions, labels, durations and strings. */
class DashboardQueriesTest {

    @Test
    void namesAndLabelsOfTheExpressionsDashboardsUse() {
        DashboardQueries.Query ratio = DashboardQueries.parse("a", "sum by (node) (hami_gpu_memory_allocated_bytes"
                + "{zone=\"vGPU\", node=~\"$node\"}) / sum by (node) (hami_gpu_memory_limit_bytes{zone=\"vGPU\"})");
        assertThat(ratio.metrics()).containsExactly("hami_gpu_memory_allocated_bytes", "hami_gpu_memory_limit_bytes");
        assertThat(ratio.labels()).containsExactly("zone", "node");

        DashboardQueries.Query quantile = DashboardQueries.parse("b", "histogram_quantile(0.99, sum by (le, trigger)"
                + " (rate(gpushare_ledger_rebuild_duration_seconds_bucket[15m])))");
        assertThat(quantile.metrics()).containsExactly("gpushare_ledger_rebuild_duration_seconds_bucket");
        assertThat(quantile.labels()).containsExactly("le", "trigger");

        DashboardQueries.Query values = DashboardQueries.parse("c",
                "label_values(hami_gpu_memory_limit_bytes{zone=\"vGPU\"}, node)");
        assertThat(values.metrics()).containsExactly("hami_gpu_memory_limit_bytes");
        assertThat(values.labels()).containsExactly("zone", "node");

        DashboardQueries.Query compare = DashboardQueries.parse("d", "gpushare_node_registration_invalid == 1"
                + " or changes(gpushare_leader_term[1h]) > 0 and on (instance) gpushare_leader");
        assertThat(compare.metrics()).containsExactly("gpushare_node_registration_invalid", "gpushare_leader_term",
                "gpushare_leader");
        assertThat(compare.labels()).containsExactly("instance");
    }
}
