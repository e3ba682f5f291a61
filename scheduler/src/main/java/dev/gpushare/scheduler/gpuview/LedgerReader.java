package dev.gpushare.scheduler.gpuview;

/** Where the page reads the ledger from: every GPU node's snapshot and the entries counted on it. */
@FunctionalInterface
public interface LedgerReader {

    GpuPage.Ledger read();
}
