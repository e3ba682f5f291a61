package dev.gpushare.placement;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * MIG state of one GPU in a snapshot: the geometries its model allows, the geometry in force (if any) and which of
 * its instance slots are taken. Immutable.
 */
public final class MigLayout {

    /** A GPU that is not in MIG mode, or whose model no {@code knownMigGeometries} entry names. */
    public static final MigLayout NONE = new MigLayout(List.of(), -1, new boolean[0]);

    private final List<MigGeometry> geometries;
    private final int geometry;
    private final boolean[] inUse;

    MigLayout(List<MigGeometry> geometries, int geometry, boolean[] inUse) {
        this.geometries = List.copyOf(geometries);
        this.geometry = geometry;
        this.inUse = inUse.clone();
    }

    public List<MigGeometry> geometries() {
        return geometries;
    }

    /** Index of the geometry in force, empty while the GPU has none. */
    public OptionalInt currentGeometry() {
        return geometry < 0 ? OptionalInt.empty() : OptionalInt.of(geometry);
    }

    /** The taken slots of the current geometry, ascending. */
    public List<Integer> usedSlots() {
        List<Integer> used = new ArrayList<>();
        for (int p = 0; p < inUse.length; p++) {
            if (inUse[p]) {
                used.add(p);
            }
        }
        return List.copyOf(used);
    }

    MigInstances toInstances() {
        return new MigInstances(geometries, geometry, inUse.clone());
    }
}
