package dev.gpushare.common.config;

/** One MIG instance kind inside a geometry, e.g. {@code 1g.10gb} x 7 ({@code knownMigGeometries}). */
public record MigTemplate(String name, int core, int memory, int count) {
}
