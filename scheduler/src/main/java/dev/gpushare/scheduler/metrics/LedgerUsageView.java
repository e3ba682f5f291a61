package dev.gpushare.scheduler.metrics;

import dev.gpushare.common.config.MigTemplate;
import dev.gpushare.common.device.ContainerDevice;
import dev.gpushare.placement.GpuSnapshot;
import dev.gpushare.placement.MigLayout;
import dev.gpushare.placement.NamespaceQuota;
import dev.gpushare.placement.NodeSnapshot;
import dev.gpushare.scheduler.state.LedgerView;
import dev.gpushare.scheduler.state.PodEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The {@link UsageView} of the ledger's {@link LedgerView}: nodes with their GPUs and usage as the placement
 * snapshots hold them, every pod the ledger counts, and per namespace the memory and cores its pods hold (as the
 * ledger sums them for {@code /filter}'s quota check) with the limit written in its ResourceQuotas.
 */
public final class LedgerUsageView implements UsageViewSource {

    private final Supplier<LedgerView> ledger;
    private final String memoryResource;
    private final String coreResource;
    private final int memoryFactor;

    /**
     * @param memoryFactor the device config's {@code memoryFactor}: the ledger's memory limits are multiplied by it
     *                     (as HAMi's quota check does), the series show the limit as written
     */
    public LedgerUsageView(Supplier<LedgerView> ledger, String memoryResource, String coreResource, int memoryFactor) {
        this.ledger = ledger;
        this.memoryResource = memoryResource;
        this.coreResource = coreResource;
        this.memoryFactor = Math.max(1, memoryFactor);
    }

    @Override
    public UsageView current() {
        LedgerView view = ledger.get();
        List<UsageView.Node> nodes = new ArrayList<>();
        new TreeMap<>(view.nodes()).forEach((name, snapshot) -> nodes.add(node(snapshot)));
        List<UsageView.Pod> pods = new ArrayList<>();
        Map<String, long[]> used = new TreeMap<>();
        new TreeMap<>(view.pods()).forEach((node, entries) -> {
            for (PodEntry entry : entries) {
                pods.add(new UsageView.Pod(entry.namespace(), entry.name(), entry.node(), entry.allocation()));
                long[] sums = used.computeIfAbsent(entry.namespace(), n -> new long[2]);
                for (ContainerDevice device : entry.allocation().devices()) {
                    sums[0] += device.usedmem();
                    sums[1] += device.usedcores();
                }
            }
        });
        TreeSet<String> namespaces = new TreeSet<>(used.keySet());
        namespaces.addAll(view.quotas().keySet());
        List<UsageView.Quota> quotas = new ArrayList<>();
        for (String namespace : namespaces) {
            long[] sums = used.getOrDefault(namespace, new long[2]);
            NamespaceQuota quota = view.quotas().getOrDefault(namespace, NamespaceQuota.NONE);
            OptionalLong memoryLimit = quota.limitsMemory() ? OptionalLong.of(quota.memoryLimit() / memoryFactor)
                    : OptionalLong.empty();
            OptionalLong coresLimit = quota.limitsCores() ? OptionalLong.of(quota.coresLimit()) : OptionalLong.empty();
            boolean holds = used.containsKey(namespace);
            // As HAMi: a namespace whose pods hold GPUs has both resources; a quota alone, the ones it limits.
            if (holds || memoryLimit.isPresent()) {
                quotas.add(new UsageView.Quota(namespace, memoryResource, sums[0], memoryLimit));
            }
            if (holds || coresLimit.isPresent()) {
                quotas.add(new UsageView.Quota(namespace, coreResource, sums[1], coresLimit));
            }
        }
        return new UsageView(nodes, pods, quotas);
    }

    private static UsageView.Node node(NodeSnapshot snapshot) {
        List<UsageView.Gpu> gpus = new ArrayList<>();
        for (GpuSnapshot gpu : snapshot.gpus()) {
            gpus.add(new UsageView.Gpu(gpu.device(), gpu.usage(), migInstances(gpu.mig())));
        }
        return new UsageView.Node(snapshot.name(), gpus, snapshot.registrationProblem());
    }

    private static List<UsageView.MigInstance> migInstances(MigLayout layout) {
        if (layout.currentGeometry().isEmpty()) {
            return List.of();
        }
        List<MigTemplate> slots = layout.geometries().get(layout.currentGeometry().getAsInt()).slots();
        return layout.usedSlots().stream().map(slot -> new UsageView.MigInstance(slots.get(slot).name(), slot))
                .toList();
    }
}
