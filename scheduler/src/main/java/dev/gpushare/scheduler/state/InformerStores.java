package dev.gpushare.scheduler.state;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import java.util.Collection;
import java.util.List;

/**
 * What {@link ClusterState#rebuild} compares the state with: the objects of the informer stores, and whether the
 * store still holds the object a repair was computed from. The reconcile computes its diff outside the state's
 * lock, while informer events keep arriving; a repair is applied only if its object is still the current one (a
 * newer object has its own event, which is fresher than the repair).
 */
public interface InformerStores {

    Collection<Node> nodes();

    Collection<Pod> pods();

    Collection<ResourceQuota> quotas();

    /** Whether the store holds exactly this object now (the same instance the lists returned). */
    boolean holds(HasMetadata object);

    /** Whether the store holds no pod with this UID under {@code namespace/name} now. */
    boolean lacksPod(String namespace, String name, String uid);

    /** Whether the store holds no node of this name now. */
    boolean lacksNode(String name);

    /** Stores that are fixed lists (a test's, or a copy): every listed object is current. */
    static InformerStores of(List<Node> nodes, List<Pod> pods, List<ResourceQuota> quotas) {
        return new InformerStores() {
            @Override
            public Collection<Node> nodes() {
                return nodes;
            }

            @Override
            public Collection<Pod> pods() {
                return pods;
            }

            @Override
            public Collection<ResourceQuota> quotas() {
                return quotas;
            }

            @Override
            public boolean holds(HasMetadata object) {
                return nodes.stream().anyMatch(o -> o == object) || pods.stream().anyMatch(o -> o == object)
                        || quotas.stream().anyMatch(o -> o == object);
            }

            @Override
            public boolean lacksPod(String namespace, String name, String uid) {
                return pods.stream().noneMatch(p -> uid.equals(p.getMetadata().getUid()));
            }

            @Override
            public boolean lacksNode(String name) {
                return nodes.stream().noneMatch(n -> name.equals(n.getMetadata().getName()));
            }
        };
    }
}
