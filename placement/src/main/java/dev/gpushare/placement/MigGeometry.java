package dev.gpushare.placement;

import dev.gpushare.common.config.MigTemplate;

import java.util.ArrayList;
import java.util.List;

/**
 * One allowed MIG geometry of a GPU model ({@code knownMigGeometries}, spec 4.10): its templates and the flattened
 * instance slots, {@code count} copies of each template in order. A slot's index is the {@code p} of the
 * {@code [t-p]} UUID suffix, which HAMi's device plugin turns into MIG device {@code p}.
 */
public final class MigGeometry {

    /** A GPU has at most 7 MIG instances; anything far beyond that is a configuration mistake. */
    static final int MAX_SLOTS = 64;

    private final List<MigTemplate> templates;
    private final List<MigTemplate> slots;

    MigGeometry(List<MigTemplate> templates) {
        List<MigTemplate> flat = new ArrayList<>();
        for (MigTemplate t : templates) {
            if (t.count() < 0 || t.memory() < 0 || t.core() < 0) {
                throw new IllegalArgumentException(
                        "MIG template " + t.name() + " has a negative count, memory or core");
            }
            if (flat.size() + t.count() > MAX_SLOTS) {
                throw new IllegalArgumentException(
                        "MIG geometry " + templates + " has more than " + MAX_SLOTS + " instances");
            }
            for (int i = 0; i < t.count(); i++) {
                flat.add(t);
            }
        }
        this.templates = List.copyOf(templates);
        this.slots = List.copyOf(flat);
    }

    public List<MigTemplate> templates() {
        return templates;
    }

    /** The instance slots: template of each slot, in slot order. */
    public List<MigTemplate> slots() {
        return slots;
    }

    /** The first slot of the first template with at least {@code memory} MiB, or -1. */
    int firstSlotOfTemplateWith(int memory) {
        int slot = 0;
        for (MigTemplate t : templates) {
            if (t.memory() >= memory && t.count() > 0) {
                return slot;
            }
            slot += t.count();
        }
        return -1;
    }

    @Override
    public String toString() {
        return templates.toString();
    }
}
