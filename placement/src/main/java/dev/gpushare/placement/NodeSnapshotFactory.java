package dev.gpushare.placement;

import dev.gpushare.common.annotation.MalformedAnnotationException;
import dev.gpushare.common.annotation.MigUuid;
import dev.gpushare.common.config.AllowedMigProfiles;
import dev.gpushare.common.config.MigGeometryRule;
import dev.gpushare.common.config.MigTemplate;
import dev.gpushare.common.device.ContainerDevice;
import dev.gpushare.common.device.DeviceInfo;
import dev.gpushare.common.device.DeviceUsage;
import dev.gpushare.common.device.PodAllocation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Builds a {@link NodeSnapshot} from a node's registration and the allocations of the pods on it (spec 5.3). Pure
 * and thread-safe: the caller keeps each node's pod allocations and rebuilds only the snapshot of a node that
 * changed, so the cost is per node, never per cluster.
 */
public final class NodeSnapshotFactory {

    private record ModelRule(List<String> models, List<MigGeometry> geometries) {
    }

    private final List<ModelRule> migRules;
    private final List<AllowedMigProfiles> allowlist;
    /** The geometries of each GPU type seen, restricted by the allowlist; a cluster has a handful of types. */
    private static final int MAX_CACHED_TYPES = 256;
    private final Map<String, List<MigGeometry>> geometriesByType = new ConcurrentHashMap<>();

    /**
     * A factory for a device config without {@code migProfileAllowlist} (HAMi before v2.10).
     *
     * @param migRules the device config's {@code knownMigGeometries}
     * @throws IllegalArgumentException when a template has a negative value or a geometry has absurdly many
     *                                  instances (a configuration mistake, reported at start-up)
     */
    public NodeSnapshotFactory(List<MigGeometryRule> migRules) {
        this(migRules, List.of());
    }

    /**
     * @param migRules  the device config's {@code knownMigGeometries}
     * @param allowlist the device config's {@code migProfileAllowlist} (HAMi v2.10), empty for none: when it has
     *                  entries, a MIG GPU takes new instances only of the templates whose profile (by slice, as
     *                  HAMi's device plugin matches it: {@code 1g} of {@code 1g.10gb}) the first entry naming a
     *                  substring of its type lists; a GPU whose type no entry names takes none, as HAMi's plugin
     *                  then does not offer it
     * @throws IllegalArgumentException when a template has a negative value or a geometry has absurdly many
     *                                  instances (a configuration mistake, reported at start-up)
     */
    public NodeSnapshotFactory(List<MigGeometryRule> migRules, List<AllowedMigProfiles> allowlist) {
        this.allowlist = List.copyOf(allowlist);
        List<ModelRule> rules = new ArrayList<>();
        for (MigGeometryRule rule : migRules) {
            List<MigGeometry> geometries = new ArrayList<>();
            for (List<MigTemplate> geometry : rule.allowedGeometries()) {
                geometries.add(new MigGeometry(geometry));
            }
            rules.add(new ModelRule(rule.models(), List.copyOf(geometries)));
        }
        this.migRules = List.copyOf(rules);
    }

    /**
     * The snapshot of a registered node.
     *
     * @param devices     the registered GPUs in annotation order
     * @param pairScores  {@code hami.io/node-nvidia-score}: UUID to (UUID to link score); empty when absent
     * @param allocations the allocations of the pods counted on this node; entries naming a UUID the node did not
     *                    register are ignored
     */
    public NodeSnapshot snapshot(String nodeName, Map<String, String> labels, List<DeviceInfo> devices,
                                 Map<String, Map<String, Integer>> pairScores, Iterable<PodAllocation> allocations) {
        return snapshot(nodeName, labels, Set.of(), devices, pairScores, allocations);
    }

    /**
     * The snapshot of a registered node some of whose GPUs are cordoned.
     *
     * @param cordoned UUIDs of the node annotation {@code hami.io/device-cordon} ({@link #cordoned(String)})
     */
    public NodeSnapshot snapshot(String nodeName, Map<String, String> labels, Set<String> cordoned,
                                 List<DeviceInfo> devices, Map<String, Map<String, Integer>> pairScores,
                                 Iterable<PodAllocation> allocations) {
        int n = devices.size();
        Map<String, Integer> indexById = new HashMap<>(n * 2);
        MigInstances[] mig = new MigInstances[n];
        for (int i = 0; i < n; i++) {
            DeviceInfo d = devices.get(i);
            indexById.putIfAbsent(d.id(), i);
            if (DeviceInfo.MODE_MIG.equals(d.mode())) {
                mig[i] = new MigInstances(geometriesOf(d.type()), -1, new boolean[0]);
            }
        }
        DeviceUsage[] usage = new DeviceUsage[n];
        Arrays.fill(usage, DeviceUsage.NONE);
        boolean[] contradicted = new boolean[n];
        if (allocations != null) {
            for (PodAllocation allocation : allocations) {
                for (List<ContainerDevice> container : allocation.containers()) {
                    for (ContainerDevice cd : container) {
                        count(cd, indexById, usage, mig, contradicted);
                    }
                }
            }
        }
        List<GpuSnapshot> gpus = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            DeviceInfo d = devices.get(i);
            MigLayout layout = mig[i] == null ? MigLayout.NONE : mig[i].freeze();
            gpus.add(new GpuSnapshot(d, usage[i], d.health() && !contradicted[i], layout));
        }
        return new NodeSnapshot(nodeName, labels, null, gpus,
                pairMatrix(devices, pairScores), Set.copyOf(cordoned));
    }

    /** The snapshot of a node whose registration could not be decoded: it takes no pod, for {@code problem}. */
    public NodeSnapshot unregistrable(String nodeName, Map<String, String> labels, String problem) {
        return new NodeSnapshot(nodeName, labels, problem, List.of(), null, Set.of());
    }

    /**
     * The UUIDs of a {@code hami.io/device-cordon} value, as HAMi v2.10 reads it: comma separated, trimmed, empty
     * entries ignored; {@code null} (no annotation) is none.
     */
    public static Set<String> cordoned(String annotation) {
        if (annotation == null || annotation.isBlank()) {
            return Set.of();
        }
        Set<String> uuids = new java.util.HashSet<>();
        for (String entry : annotation.split(",")) {
            String uuid = entry.trim();
            if (!uuid.isEmpty()) {
                uuids.add(uuid);
            }
        }
        return Set.copyOf(uuids);
    }

    private static void count(ContainerDevice cd, Map<String, Integer> indexById, DeviceUsage[] usage,
                              MigInstances[] mig, boolean[] contradicted) {
        MigUuid uuid;
        try {
            uuid = MigUuid.parse(cd.uuid());
        } catch (MalformedAnnotationException e) {
            uuid = null;
        }
        Integer index = indexById.get(uuid == null ? MigUuid.baseOf(cd.uuid()) : uuid.base());
        if (index == null) {
            return;
        }
        int i = index;
        usage[i] = usage[i].plus(cd);
        if (uuid != null && uuid.mig().isEmpty()) {
            return;
        }
        // A MIG instance on a GPU that is not in MIG mode, or one its layout cannot hold (or a suffix that is not
        // one): the GPU's real state is unknown, so it takes no new work (HAMi marks a hami-core GPU unhealthy the
        // same way).
        if (mig[i] == null || uuid == null
                || !mig[i].record(uuid.mig().get().geometry(), uuid.mig().get().slot())) {
            contradicted[i] = true;
        }
    }

    private List<MigGeometry> geometriesOf(String type) {
        List<MigGeometry> geometries = geometriesByType.get(type);
        if (geometries == null) {
            geometries = geometriesFor(type);
            // Types come from node annotations: never let odd ones grow the cache without bound.
            if (geometriesByType.size() < MAX_CACHED_TYPES) {
                geometriesByType.put(type, geometries);
            }
        }
        return geometries;
    }

    /**
     * Geometries of the first rule naming a substring of {@code type} (spec 4.10), none when no rule does; with an
     * allowlist, their templates restricted to the profiles it allows on {@code type}.
     */
    private List<MigGeometry> geometriesFor(String type) {
        List<MigGeometry> geometries = List.of();
        for (ModelRule rule : migRules) {
            if (rule.models().stream().anyMatch(model -> !model.isEmpty() && type.contains(model))) {
                geometries = rule.geometries();
                break;
            }
        }
        if (allowlist.isEmpty()) {
            return geometries;
        }
        // HAMi's plugin: the first entry with a model contained in the type (strings.Contains, "" matches all).
        Set<String> slices = allowlist.stream()
                .filter(entry -> entry.models().stream().anyMatch(type::contains))
                .findFirst()
                .map(entry -> entry.profiles().stream().map(AllowedMigProfiles::sliceOf).collect(Collectors.toSet()))
                .orElse(Set.of());
        return geometries.stream()
                .map(g -> g.allowing(template -> slices.contains(AllowedMigProfiles.sliceOf(template.name()))))
                .toList();
    }

    private static int[][] pairMatrix(List<DeviceInfo> devices, Map<String, Map<String, Integer>> pairScores) {
        if (pairScores == null || pairScores.isEmpty()) {
            return null;
        }
        int n = devices.size();
        int[][] matrix = new int[n][n];
        for (int a = 0; a < n; a++) {
            Map<String, Integer> row = pairScores.get(devices.get(a).id());
            if (row == null) {
                continue;
            }
            for (int b = 0; b < n; b++) {
                Integer s = row.get(devices.get(b).id());
                matrix[a][b] = s == null ? 0 : s;
            }
        }
        return matrix;
    }
}
