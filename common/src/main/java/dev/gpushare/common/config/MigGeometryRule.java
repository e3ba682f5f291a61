package dev.gpushare.common.config;

import java.util.List;

/**
 * One {@code knownMigGeometries} entry: the GPU models it applies to (substring of the device type) and the
 * geometries allowed on them; a geometry is a list of templates.
 */
public record MigGeometryRule(List<String> models, List<List<MigTemplate>> allowedGeometries) {

    public MigGeometryRule {
        models = List.copyOf(models);
        allowedGeometries = allowedGeometries.stream().map(List::copyOf).toList();
    }
}
