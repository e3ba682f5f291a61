package dev.gpushare.placement;

import dev.gpushare.common.annotation.MigUuid;
import dev.gpushare.common.config.MigTemplate;

import java.util.List;

/**
 * Mutable MIG instance state of one GPU while a snapshot is built or a pod is placed (spec 4.10). One rule decides
 * both what the fit check accepts and what the allocation takes: while no instance is taken, the GPU may switch to
 * the first geometry with an allowed template of enough memory (its first slot of that template is taken);
 * otherwise the first free slot of an allowed template of the current geometry with enough memory is taken.
 */
final class MigInstances {

    /** One instance taken: geometry {@code t}, slot {@code p} and that slot's template. */
    record Pick(int geometry, int slot, MigTemplate template) {
        String uuidSuffix() {
            return new MigUuid.MigSlot(geometry, slot).suffix();
        }
    }

    private final List<MigGeometry> geometries;
    private int geometry;
    private boolean[] inUse;

    MigInstances(List<MigGeometry> geometries, int geometry, boolean[] inUse) {
        this.geometries = geometries;
        this.geometry = geometry;
        this.inUse = inUse;
    }

    MigInstances copy() {
        return new MigInstances(geometries, geometry, inUse.clone());
    }

    /** Takes an instance of at least {@code memory} MiB, or returns null when none is left. */
    Pick take(int memory) {
        if (!anyInUse()) {
            for (int t = 0; t < geometries.size(); t++) {
                int slot = geometries.get(t).firstSlotOfTemplateWith(memory);
                if (slot >= 0) {
                    return mark(t, slot);
                }
            }
            return null;
        }
        MigGeometry current = geometries.get(geometry);
        List<MigTemplate> slots = current.slots();
        for (int p = 0; p < slots.size(); p++) {
            if (!inUse[p] && current.allowsSlot(p) && slots.get(p).memory() >= memory) {
                return mark(geometry, p);
            }
        }
        return null;
    }

    /** Applies a pick made on a copy of this state. */
    void apply(Pick pick) {
        mark(pick.geometry(), pick.slot());
    }

    /**
     * Records an existing allocation {@code [t-p]}; false when it cannot be part of this GPU's layout (unknown
     * geometry or slot, or a geometry other than the one its other instances use).
     */
    boolean record(int t, int p) {
        if (t < 0 || t >= geometries.size() || p < 0 || p >= geometries.get(t).slots().size()) {
            return false;
        }
        if (anyInUse() && t != geometry) {
            return false;
        }
        mark(t, p);
        return true;
    }

    MigLayout freeze() {
        return new MigLayout(geometries, geometry, inUse);
    }

    private Pick mark(int t, int p) {
        if (t != geometry) {
            geometry = t;
            inUse = new boolean[geometries.get(t).slots().size()];
        }
        inUse[p] = true;
        return new Pick(t, p, geometries.get(t).slots().get(p));
    }

    private boolean anyInUse() {
        for (boolean used : inUse) {
            if (used) {
                return true;
            }
        }
        return false;
    }
}
