package dev.gpushare.ops.state;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The differences between two exports, {@code before} and {@code after}: what an upgrade or a migration must not
 * change. Allocations are compared per pod UID. Pure.
 *
 * <ul>
 *   <li>{@link Kind#LOST}: the pod still exists (same UID) but holds fewer GPUs, or none;</li>
 *   <li>{@link Kind#CHANGED}: the pod holds other GPUs, or other amounts;</li>
 *   <li>{@link Kind#GONE}: the pod no longer exists (deleted, or finished);</li>
 *   <li>{@link Kind#ADDED}: a pod holds GPUs it did not hold before;</li>
 *   <li>{@link Kind#DEVICE}, {@link Kind#LOCK}, {@link Kind#LEASE}: a registered GPU, a node lock or the Lease
 *       holder changed.</li>
 * </ul>
 * Only {@code LOST} and {@code CHANGED} make {@code state diff} fail: the others happen in a healthy cluster.
 */
public final class StateDiff {

    public enum Kind {
        LOST("lost"), CHANGED("changed"), GONE("gone"), ADDED("added"), DEVICE("device"), LOCK("lock"),
        LEASE("lease");

        private final String word;

        Kind(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }

        public boolean fails() {
            return this == LOST || this == CHANGED;
        }
    }

    public record Difference(Kind kind, String message) {
        public String line() {
            return String.format("%-8s %s", kind.word(), message);
        }
    }

    private StateDiff() {
    }

    public static List<Difference> compare(StateDocument before, StateDocument after) {
        List<Difference> differences = new ArrayList<>();
        Map<String, List<StateDocument.Allocation>> was = byUid(before.allocations());
        Map<String, List<StateDocument.Allocation>> now = byUid(after.allocations());
        Map<String, StateDocument.PodState> podsAfter = after.pods().stream()
                .collect(Collectors.toMap(StateDocument.PodState::uid, p -> p, (a, b) -> a, LinkedHashMap::new));
        was.forEach((uid, held) -> {
            List<StateDocument.Allocation> still = now.getOrDefault(uid, List.of());
            String who = held.get(0).namespace() + "/" + held.get(0).pod() + " (uid " + uid + ")";
            if (still.equals(held)) {
                return;
            }
            if (still.isEmpty() && !podsAfter.containsKey(uid)) {
                differences.add(new Difference(Kind.GONE, who + ": the pod is gone; it held " + render(held)));
            } else if (still.isEmpty()) {
                differences.add(new Difference(Kind.LOST, who + ": the pod still exists but lost " + render(held)));
            } else if (held.containsAll(still)) {
                List<StateDocument.Allocation> missing = new ArrayList<>(held);
                missing.removeAll(still);
                differences.add(new Difference(Kind.LOST, who + ": lost " + render(missing)));
            } else {
                differences.add(new Difference(Kind.CHANGED, who + ": " + render(held) + " -> " + render(still)));
            }
        });
        now.forEach((uid, held) -> {
            if (!was.containsKey(uid)) {
                differences.add(new Difference(Kind.ADDED, held.get(0).namespace() + "/" + held.get(0).pod()
                        + " (uid " + uid + "): " + render(held)));
            }
        });
        compareDevices(before, after, differences);
        compareLocks(before, after, differences);
        String leaseBefore = holder(before.lease());
        String leaseAfter = holder(after.lease());
        if (!leaseBefore.equals(leaseAfter)) {
            differences.add(new Difference(Kind.LEASE, "holder " + leaseBefore + " -> " + leaseAfter));
        }
        return differences;
    }

    private static void compareDevices(StateDocument before, StateDocument after, List<Difference> differences) {
        Map<String, StateDocument.Device> was = devices(before);
        Map<String, StateDocument.Device> now = devices(after);
        was.forEach((key, device) -> {
            StateDocument.Device still = now.get(key);
            if (still == null) {
                differences.add(new Difference(Kind.DEVICE, "node " + device.node() + " no longer registers "
                        + device.uuid()));
            } else if (!still.equals(device)) {
                differences.add(new Difference(Kind.DEVICE, "node " + device.node() + " " + device.uuid()
                        + " registration changed: " + device + " -> " + still));
            }
        });
        now.forEach((key, device) -> {
            if (!was.containsKey(key)) {
                differences.add(new Difference(Kind.DEVICE, "node " + device.node() + " registers a new GPU "
                        + device.uuid()));
            }
        });
    }

    private static void compareLocks(StateDocument before, StateDocument after, List<Difference> differences) {
        Map<String, String> was = locks(before);
        Map<String, String> now = locks(after);
        was.forEach((node, value) -> {
            if (!Objects.equals(value, now.get(node))) {
                differences.add(new Difference(Kind.LOCK, "node " + node + ": " + value + " -> "
                        + Objects.requireNonNullElse(now.get(node), "unlocked")));
            }
        });
        now.forEach((node, value) -> {
            if (!was.containsKey(node)) {
                differences.add(new Difference(Kind.LOCK, "node " + node + ": unlocked -> " + value));
            }
        });
    }

    private static Map<String, List<StateDocument.Allocation>> byUid(List<StateDocument.Allocation> allocations) {
        return allocations.stream().collect(Collectors.groupingBy(StateDocument.Allocation::uid, LinkedHashMap::new,
                Collectors.toList()));
    }

    private static Map<String, StateDocument.Device> devices(StateDocument document) {
        Map<String, StateDocument.Device> devices = new LinkedHashMap<>();
        document.devices().forEach(d -> devices.put(d.node() + "/" + d.uuid(), d));
        return devices;
    }

    private static Map<String, String> locks(StateDocument document) {
        Map<String, String> locks = new LinkedHashMap<>();
        document.locks().forEach(l -> locks.put(l.node(), l.value()));
        return locks;
    }

    private static String holder(StateDocument.LeaseHolder lease) {
        return lease == null || lease.holder() == null ? "none" : lease.holder();
    }

    /** {@code node/GPU container=main 3000MiB 30%}, comma-separated. */
    static String render(List<StateDocument.Allocation> allocations) {
        return allocations.stream().map(a -> a.node() + "/" + a.gpu() + " container=" + a.container() + " "
                + a.memory() + "MiB " + a.cores() + "%").collect(Collectors.joining(", "));
    }
}
