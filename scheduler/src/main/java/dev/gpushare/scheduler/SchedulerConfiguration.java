package dev.gpushare.scheduler;

import dev.gpushare.common.config.DeviceConfig;
import dev.gpushare.common.config.DeviceConfigException;
import dev.gpushare.common.config.NvidiaConfig;
import dev.gpushare.common.request.PodRequestParser;
import dev.gpushare.common.seal.PlacementSeal;
import dev.gpushare.common.seal.PlacementTrust;
import dev.gpushare.common.seal.SealKey;
import dev.gpushare.placement.NodeSnapshotFactory;
import dev.gpushare.placement.PlacementEngine;
import dev.gpushare.placement.PlacementSettings;
import dev.gpushare.scheduler.config.HamiProperties;
import dev.gpushare.scheduler.events.DecisionLog;
import dev.gpushare.scheduler.events.EventRecorder;
import dev.gpushare.scheduler.health.InformerWatchdog;
import dev.gpushare.scheduler.extender.BindService;
import dev.gpushare.scheduler.extender.CachedClusterReads;
import dev.gpushare.scheduler.extender.FilterService;
import dev.gpushare.scheduler.extender.PlacementWrites;
import dev.gpushare.scheduler.extender.PodWrites;
import dev.gpushare.scheduler.kube.ApiPodWrites;
import dev.gpushare.scheduler.kube.PodBindings;
import dev.gpushare.scheduler.leader.Leadership;
import dev.gpushare.scheduler.lock.NodeLockQueues;
import dev.gpushare.scheduler.lock.NodeLockService;
import dev.gpushare.scheduler.state.ClusterInformers;
import dev.gpushare.scheduler.state.ClusterState;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The scheduler's parts and how they are wired: state, lock, verbs. */
@Configuration(proxyBeanMethods = false)
class SchedulerConfiguration {

    private static final Logger log = LoggerFactory.getLogger(SchedulerConfiguration.class);

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    /** HAMi's {@code device-config.yaml} from {@code hami.device-config-file}, else the chart's defaults. */
    @Bean
    DeviceConfig deviceConfig(HamiProperties properties) throws DeviceConfigException {
        String file = properties.deviceConfigFile();
        if (file == null || file.isBlank()) {
            log.info("device config: built-in defaults (hami.device-config-file not set)");
            return DeviceConfig.defaults();
        }
        log.info("device config: {}", file);
        return DeviceConfig.load(Path.of(file));
    }

    @Bean
    PodRequestParser podRequestParser(DeviceConfig deviceConfig) {
        return new PodRequestParser(deviceConfig);
    }

    @Bean
    PlacementEngine placementEngine(HamiProperties properties) {
        return new PlacementEngine(new PlacementSettings(properties.policy().node(), properties.policy().gpu(),
                properties.policy().skipUpgradingNodes(), properties.compat().allocationEncoding()));
    }

    /**
     * The placement seal key ({@code hami.ledger.seal-key-file}; generated in embedded mode, where nothing outlives
     * the process) and which unsealed placements count. In cluster mode the key must be the replicas' shared one: a
     * key of its own would make every replica ignore the others' placements after a failover or restart.
     */
    @Bean
    PlacementTrust placementTrust(HamiProperties properties) {
        HamiProperties.Ledger ledger = properties.ledger();
        String file = ledger.sealKeyFile();
        SealKey key;
        String source;
        if (file == null || file.isBlank()) {
            if (properties.kubernetes().mode() == HamiProperties.KubernetesMode.CLUSTER) {
                throw new IllegalStateException("hami.ledger.seal-key-file is required in cluster mode: every"
                        + " replica must seal and verify placements with the same key (the chart mounts it from a"
                        + " Secret; see docs/operations/migration.md)");
            }
            key = SealKey.generate(new SecureRandom());
            source = "generated at start";
        } else {
            key = SealKey.read(Path.of(file));
            source = file;
        }
        PlacementTrust.UnsealedPolicy unsealed = new PlacementTrust.UnsealedPolicy(ledger.trustUnsealed(),
                ledger.unsealedCutOff());
        log.info("placement seal key id={} ({}); unsealed allocations counted: {}", key.id(), source,
                unsealed.trustAll() ? "all (hami.ledger.trust-unsealed)"
                        : unsealed.createdBefore().map(t -> "on pods created before " + t).orElse("none"));
        return new PlacementTrust(new PlacementSeal(key), unsealed);
    }

    @Bean
    ClusterState clusterState(DeviceConfig deviceConfig, HamiProperties properties, PlacementTrust trust,
                              Clock clock) {
        NvidiaConfig nvidia = deviceConfig.nvidia();
        return new ClusterState(new NodeSnapshotFactory(nvidia.knownMigGeometries(), nvidia.migProfileAllowlist()),
                new ClusterState.Settings(nvidia.resourceCountName(), nvidia.resourceMemoryName(),
                        nvidia.resourceCoreName(), nvidia.memoryFactor(), properties.reservation().timeout()),
                trust, clock);
    }

    /** Binds waiting for a node lock are woken when the leadership ends, and see they may not go on. */
    @Bean
    NodeLockQueues nodeLockQueues(Leadership leadership, MeterRegistry meters) {
        NodeLockQueues queues = new NodeLockQueues();
        leadership.onEnd(queues::wakeAll);
        Gauge.builder("gpushare_node_lock_waiting_binds", queues, NodeLockQueues::waiting)
                .description("Binds waiting for a node lock right now, over all nodes")
                .register(meters);
        return queues;
    }

    @Bean
    NodeLockService nodeLockService(KubernetesClient client, NodeLockQueues queues, HamiProperties properties,
                                    Clock clock, MeterRegistry meters) {
        return new NodeLockService(client, queues, properties.nodeLock().expire(), clock, meters);
    }

    /** The last decisions on pods, for the GPU page. */
    @Bean
    DecisionLog decisionLog() {
        return new DecisionLog(50);
    }

    @Bean(destroyMethod = "close")
    EventRecorder eventRecorder(KubernetesClient client, HamiProperties properties, Clock clock,
                                MeterRegistry meters, DecisionLog decisions) {
        return new EventRecorder(client, properties.schedulerName(), clock, meters, decisions);
    }

    @Bean
    ClusterInformers clusterInformers(KubernetesClient client, ClusterState state, NodeLockQueues queues,
                                      EventRecorder events, HamiProperties properties, MeterRegistry meters,
                                      InformerWatchdog watchdog) {
        return new ClusterInformers(client, state, queues, events, properties.reconcile().interval(),
                properties.reservation().timeout(), meters, watchdog);
    }

    @Bean
    PodWrites podWrites(KubernetesClient client, ClusterInformers informers) {
        return new ApiPodWrites(client, informers.lag());
    }

    @Bean(destroyMethod = "close")
    PlacementWrites placementWrites(PodWrites writes, Leadership leadership, Clock clock,
                                    HamiProperties properties) {
        return new PlacementWrites(PlacementWrites.leaderOnly(writes, leadership), clock,
                properties.reservation().timeout());
    }

    @Bean
    FilterService filterService(ClusterState state, PlacementEngine engine, Leadership leadership,
                                PodRequestParser parser, PlacementWrites placements, EventRecorder events,
                                Clock clock) {
        return new FilterService(state, engine, leadership, parser, placements, events, clock);
    }

    @Bean
    BindService bindService(ClusterState state, Leadership leadership, ClusterInformers informers,
                            NodeLockService locks, KubernetesClient client, PodWrites writes,
                            PlacementWrites placements, PodRequestParser parser, EventRecorder events, Clock clock,
                            HamiProperties properties) {
        BindService.Io io = new BindService.Io(new CachedClusterReads(informers, client), locks, writes,
                new PodBindings(client), placements);
        return new BindService(state, leadership, io, parser, events, clock, properties.bind().lockWait());
    }
}
