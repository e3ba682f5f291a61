package dev.gpushare.placement;

import dev.gpushare.common.config.MigTemplate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * One allowed MIG geometry of a GPU model ({@code knownMigGeometries}, spec 4.10): its templates and the flattened
 * instance slots, {@code count} copies of each template in order. A slot's index is the {@code p} of the
 * {@code [t-p]} UUID suffix, which HAMi's device plugin turns into MIG device {@code p}. A template the
 * {@code migProfileAllowlist} does not allow on the GPU's model keeps its slots (the indexes are the device plugin's)
 * but takes no new instance.
 */
public final class MigGeometry {

    /** A GPU has at most 7 MIG instances; anything far beyond that is a configuration mistake. */
    static final int MAX_SLOTS = 64;

    private final List<MigTemplate> templates;
    private final List<MigTemplate> slots;
    /** Per template: whether new instances of it may be taken. */
    private final boolean[] allowed;

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
        this.allowed = new boolean[templates.size()];
        Arrays.fill(allowed, true);
    }

    private MigGeometry(MigGeometry geometry, Predicate<MigTemplate> allowed) {
        this.templates = geometry.templates;
        this.slots = geometry.slots;
        this.allowed = new boolean[templates.size()];
        for (int t = 0; t < templates.size(); t++) {
            this.allowed[t] = geometry.allowed[t] && allowed.test(templates.get(t));
        }
    }

    /** The same geometry, taking new instances only of the templates {@code allowed} accepts. */
    MigGeometry allowing(Predicate<MigTemplate> allowed) {
        return new MigGeometry(this, allowed);
    }

    /** Whether a new instance may be taken in slot {@code p}. */
    boolean allowsSlot(int p) {
        int first = 0;
        for (int t = 0; t < templates.size(); t++) {
            first += templates.get(t).count();
            if (p < first) {
                return allowed[t];
            }
        }
        return false;
    }

    public List<MigTemplate> templates() {
        return templates;
    }

    /** The instance slots: template of each slot, in slot order. */
    public List<MigTemplate> slots() {
        return slots;
    }

    /** The first slot of the first allowed template with at least {@code memory} MiB, or -1. */
    int firstSlotOfTemplateWith(int memory) {
        int slot = 0;
        for (int i = 0; i < templates.size(); i++) {
            MigTemplate t = templates.get(i);
            if (allowed[i] && t.memory() >= memory && t.count() > 0) {
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
