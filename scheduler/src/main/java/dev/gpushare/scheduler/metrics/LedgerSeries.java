package dev.gpushare.scheduler.metrics;

import java.util.List;

/** Our gauges computed from the same {@link UsageView} as HAMi's series. Pure. */
public final class LedgerSeries {

    private LedgerSeries() {
    }

    public static List<GaugeFamily> of(UsageView view) {
        GaugeFamily.Builder invalid = new GaugeFamily.Builder("gpushare_node_registration_invalid",
                "1 for each node whose GPU registration cannot be decoded (it takes no GPU pods until its device"
                        + " plugin registers again)", "node");
        for (UsageView.Node node : view.nodes()) {
            if (node.registrationProblem().isPresent()) {
                invalid.add(1, node.name());
            }
        }
        return List.of(invalid.build());
    }
}
