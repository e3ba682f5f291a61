package dev.gpushare.scheduler.gpuview;

import dev.gpushare.scheduler.events.DecisionLog;
import dev.gpushare.scheduler.leader.Leadership;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.function.Supplier;

/** Assembles the {@link GpuPage} from the live parts of the service, and its JSON. */
public final class GpuPageService {

    private final LedgerReader ledger;
    private final Supplier<Collection<Pod>> pods;
    private final Leadership leadership;
    private final DecisionLog decisions;
    private final String mode;
    private final String schedulerName;
    private final GpuPage.Policy policy;
    private final Clock clock;

    public GpuPageService(LedgerReader ledger, Supplier<Collection<Pod>> pods, Leadership leadership,
                          DecisionLog decisions, String mode, String schedulerName, GpuPage.Policy policy,
                          Clock clock) {
        this.ledger = ledger;
        this.pods = pods;
        this.leadership = leadership;
        this.decisions = decisions;
        this.mode = mode;
        this.schedulerName = schedulerName;
        this.policy = policy;
        this.clock = clock;
    }

    public GpuPage read() {
        return read(clock.instant());
    }

    GpuPage read(Instant at) {
        Leadership.Status status = leadership.status();
        return GpuPage.assemble(at, mode, schedulerName, new GpuPage.Leader(leadership.identity(), status.holder(),
                        status.leader(), status.term(), status.synced()), policy, ledger.read(), pods.get(),
                decisions.recent());
    }

    static String json(GpuPage page) {
        return Serialization.asJson(page);
    }
}
