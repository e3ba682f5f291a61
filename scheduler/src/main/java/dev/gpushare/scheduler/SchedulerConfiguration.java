package dev.gpushare.scheduler;

import dev.gpushare.common.config.DeviceConfig;
import dev.gpushare.common.config.DeviceConfigException;
import dev.gpushare.common.config.NvidiaConfig;
import dev.gpushare.common.request.PodRequestParser;
import dev.gpushare.placement.NodeSnapshotFactory;
import dev.gpushare.placement.PlacementEngine;
import dev.gpushare.placement.PlacementSettings;
import dev.gpushare.scheduler.config.HamiProperties;
import dev.gpushare.scheduler.events.EventRecorder;
import dev.gpushare.scheduler.extender.BindService;
import dev.gpushare.scheduler.extender.CachedClusterReads;
import dev.gpushare.scheduler.extender.ExtenderVerbs;
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
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
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

    @Bean
    ClusterState clusterState(DeviceConfig deviceConfig, HamiProperties properties, Clock clock) {
        NvidiaConfig nvidia = deviceConfig.nvidia();
        return new ClusterState(new NodeSnapshotFactory(nvidia.knownMigGeometries()),
                new ClusterState.Settings(nvidia.resourceCountName(), nvidia.resourceMemoryName(),
                        nvidia.resourceCoreName(), nvidia.memoryFactor(), properties.reservation().timeout()),
                clock);
    }

    @Bean
    NodeLockQueues nodeLockQueues() {
        return new NodeLockQueues();
    }

    @Bean
    NodeLockService nodeLockService(KubernetesClient client, NodeLockQueues queues, HamiProperties properties,
                                    Clock clock, MeterRegistry meters) {
        return new NodeLockService(client, queues, properties.nodeLock().expire(), clock, meters);
    }

    @Bean(destroyMethod = "close")
    EventRecorder eventRecorder(KubernetesClient client, HamiProperties properties, Clock clock,
                                MeterRegistry meters) {
        return new EventRecorder(client, properties.schedulerName(), clock, meters);
    }

    @Bean
    ClusterInformers clusterInformers(KubernetesClient client, ClusterState state, NodeLockQueues queues,
                                      EventRecorder events, HamiProperties properties, MeterRegistry meters) {
        return new ClusterInformers(client, state, queues, events, properties.reconcile().interval(),
                properties.reservation().timeout(), meters);
    }

    @Bean
    PodWrites podWrites(KubernetesClient client) {
        return new ApiPodWrites(client);
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
    ExtenderVerbs extenderVerbs(FilterService filter, BindService bind, Leadership leadership,
                                HamiProperties properties) {
        return new ExtenderVerbs(filter, bind, leadership, properties.extender().syncWait());
    }

    @Bean
    BindService bindService(ClusterState state, Leadership leadership, ClusterInformers informers,
                            NodeLockService locks, KubernetesClient client, PodWrites writes,
                            PlacementWrites placements, PodRequestParser parser, EventRecorder events, Clock clock,
                            HamiProperties properties) {
        BindService.Io io = new BindService.Io(new CachedClusterReads(informers, client), locks, writes,
                new PodBindings(client));
        return new BindService(state, leadership, io, placements, parser, events, clock,
                properties.bind().lockWait());
    }
}
