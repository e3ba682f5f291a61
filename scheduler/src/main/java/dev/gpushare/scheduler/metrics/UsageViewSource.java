package dev.gpushare.scheduler.metrics;

/** Takes the {@link UsageView} of this moment; called once per scrape. */
@FunctionalInterface
public interface UsageViewSource {

    UsageView current();
}
