package dev.gpushare.charts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpushare.common.annotation.AllocationEncoding;
import dev.gpushare.placement.GpuPolicy;
import dev.gpushare.placement.NodePolicy;
import dev.gpushare.scheduler.config.HamiProperties;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindContext;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.origin.PropertySourceOrigin;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * The scheduler pod: each value lands in the env var, flag or file our service and kube-scheduler read. The env
 * vars are bound onto {@link HamiProperties} with Spring's own binder, so a misspelt variable name fails here.
 */
class SchedulerPodTest {

    @Test
    void everyValueReachesTheSettingOurServiceBinds() {
        Rendered rendered = Chart.render(Chart.Options.defaults()
                .set("schedulerName", "gpu-sched")
                .set("scheduler.defaultSchedulerPolicy.nodeSchedulerPolicy", "spread")
                .set("scheduler.defaultSchedulerPolicy.gpuSchedulerPolicy", "topology-aware")
                .set("scheduler.nodeLockExpire", "7m")
                .set("scheduler.bindLockWait", "12s")
                .set("scheduler.readinessMode", "leader")
                .set("scheduler.forceOverwriteDefaultScheduler", false)
                .set("scheduler.extender.port", 8899)
                .set("scheduler.service.httpTargetPort", 9443)
                .set("scheduler.metricsBindAddress", "0.0.0.0:9400")
                .set("scheduler.service.monitorTargetPort", 9400)
                .set("devicePlugin.image.tag", "v2.8.3"));
        Map<String, String> env = literal(rendered.extenderEnv());
        Set<String> consumed = new LinkedHashSet<>();

        HamiProperties hami = binder(env).bind("hami", Bindable.of(HamiProperties.class), recording(consumed)).get();
        Integer managementPort = binder(env).bind("management.server.port", Bindable.of(Integer.class),
                recording(consumed)).get();
        String managementAddress = binder(env).bind("management.server.address", Bindable.of(String.class),
                recording(consumed)).get();

        assertThat(consumed).as("every env var of our container is a setting the service reads")
                .containsExactlyInAnyOrderElementsOf(env.keySet().stream()
                        .filter(name -> !name.equals("JAVA_TOOL_OPTIONS")).toList());
        assertThat(hami.kubernetes().mode()).isEqualTo(HamiProperties.KubernetesMode.CLUSTER);
        assertThat(hami.schedulerName()).isEqualTo("gpu-sched");
        assertThat(hami.policy().node()).isEqualTo(NodePolicy.SPREAD);
        assertThat(hami.policy().gpu()).isEqualTo(GpuPolicy.TOPOLOGY_AWARE);
        assertThat(hami.nodeLock().expire()).isEqualTo(Duration.ofMinutes(7));
        assertThat(hami.bind().lockWait()).isEqualTo(Duration.ofSeconds(12));
        assertThat(hami.readiness().mode()).isEqualTo(HamiProperties.ReadinessMode.LEADER);
        assertThat(hami.readiness().peerLabel()).isEqualTo("gpushare.dev/scheduler");
        assertThat(hami.webhook().forceOverwriteDefaultScheduler()).isFalse();
        assertThat(hami.webhook().port()).isEqualTo(9443);
        assertThat(hami.webhook().tls().certFile()).isEqualTo("/tls/tls.crt");
        assertThat(hami.webhook().tls().keyFile()).isEqualTo("/tls/tls.key");
        assertThat(hami.extender().address()).isEqualTo("127.0.0.1");
        assertThat(hami.extender().port()).isEqualTo(8899);
        assertThat(hami.leaderElection().mode()).isEqualTo(HamiProperties.LeaderElectionMode.FOLLOW);
        assertThat(hami.leaderElection().leaseName()).isEqualTo("gpu-sched");
        assertThat(hami.leaderElection().leaseNamespace()).isEqualTo(Chart.NAMESPACE);
        assertThat(hami.deviceConfigFile()).isEqualTo("/device-config.yaml");
        assertThat(hami.compat().allocationEncoding()).isEqualTo(AllocationEncoding.V2_8);
        assertThat(hami.ledger().sealKeyFile()).isEqualTo("/seal/seal.key");
        assertThat(hami.ledger().trustUnsealed()).isFalse();
        assertThat(hami.webhook().annotationWriters()).containsExactly(
                "system:serviceaccount:" + Chart.NAMESPACE + ":hami-scheduler",
                "system:serviceaccount:" + Chart.NAMESPACE + ":hami-device-plugin");
        assertThat(managementPort).isEqualTo(9400);
        assertThat(managementAddress).isEqualTo("0.0.0.0");

        Container ours = rendered.extender();
        assertThat(rendered.extenderEnv()).containsEntry("POD_NAME", "fieldRef:metadata.name")
                .containsEntry("POD_NAMESPACE", "fieldRef:metadata.namespace");
        assertThat(ours.getPorts()).extracting(ContainerPort::getName, ContainerPort::getContainerPort)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("https", 9443),
                        org.assertj.core.groups.Tuple.tuple("metrics", 9400));
        assertThat(ours.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(ours.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("metrics");
        assertThat(ours.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(ours.getStartupProbe().getHttpGet().getPath()).isEqualTo("/healthz");

        SchedulerConfig config = SchedulerConfig.of(rendered);
        assertThat(config.root().at("/leaderElection/resourceName").asString()).isEqualTo("gpu-sched");
        assertThat(config.root().at("/leaderElection/resourceNamespace").asString()).isEqualTo(Chart.NAMESPACE);
        assertThat(config.root().at("/leaderElection/resourceLock").asString()).isEqualTo("leases");
        assertThat(config.root().at("/profiles/0/schedulerName").asString()).isEqualTo("gpu-sched");
    }

    @Test
    void theTlsSecretAndTheDeviceConfigAreMountedWhereTheSettingsPoint() {
        Rendered rendered = Chart.render(Chart.Options.defaults());
        PodSpec pod = rendered.scheduler().getSpec().getTemplate().getSpec();
        Map<String, VolumeMount> mounts = rendered.extender().getVolumeMounts().stream()
                .collect(Collectors.toMap(VolumeMount::getMountPath, m -> m));
        Map<String, Volume> volumes = pod.getVolumes().stream().collect(Collectors.toMap(Volume::getName, v -> v));

        assertThat(volumes.get(mounts.get("/tls").getName()).getSecret().getSecretName())
                .isEqualTo("hami-scheduler-tls");
        VolumeMount deviceConfig = mounts.get("/device-config.yaml");
        assertThat(deviceConfig.getSubPath()).isEqualTo("device-config.yaml");
        assertThat(volumes.get(deviceConfig.getName()).getConfigMap().getName()).isEqualTo("hami-scheduler-device");
        assertThat(volumes.get(mounts.get("/tmp").getName()).getEmptyDir()).isNotNull();
        assertThat(rendered.kubeScheduler().getVolumeMounts()).singleElement()
                .satisfies(m -> assertThat(m.getMountPath()).isEqualTo("/config"));
        assertThat(volumes.get("scheduler-config").getConfigMap().getName()).isEqualTo("hami-scheduler");
        assertThat(pod.getServiceAccountName()).isEqualTo("hami-scheduler");
        assertThat(pod.getPriorityClassName()).isEqualTo("system-node-critical");
        assertThat(rendered.scheduler().getSpec().getTemplate().getMetadata().getLabels())
                .containsEntry("hami.io/webhook", "ignore")
                .containsEntry("gpushare.dev/scheduler", "hami-scheduler");
    }

    @Test
    void withoutTheWebhookNoCertificateIsMountedAndNothingElseChanges() {
        Rendered rendered = Chart.render(Chart.Options.defaults().variant("webhook-disabled"));

        assertThat(rendered.extender().getVolumeMounts()).extracting(VolumeMount::getMountPath)
                .doesNotContain("/tls");
        assertThat(rendered.extenderEnv()).doesNotContainKeys("HAMI_WEBHOOK_TLS_CERTFILE", "HAMI_WEBHOOK_TLS_KEYFILE");
        assertThat(rendered.kind("MutatingWebhookConfiguration")).isEmpty();
        assertThat(rendered.kind("Job")).isEmpty();
        assertThat(rendered.kind("Certificate")).isEmpty();
    }

    @Test
    void leaderElectOffMeansOneReplicaWithoutElection() {
        Rendered rendered = Chart.render(Chart.Options.defaults()
                .set("scheduler.leaderElect", false).set("scheduler.replicas", 3));

        assertThat(rendered.scheduler().getSpec().getReplicas()).isEqualTo(1);
        assertThat(rendered.extenderEnv()).containsEntry("HAMI_LEADERELECTION_MODE", "none");
        assertThat(SchedulerConfig.of(rendered).root().at("/leaderElection/leaderElect").asBoolean()).isFalse();
        assertThat(rendered.all(PodDisruptionBudget.class)).isEmpty();
    }

    @Test
    void highAvailabilityHasADisruptionBudgetAntiAffinityAndSurgingRollouts() {
        Rendered rendered = Chart.render(Chart.Options.defaults().variant("ha"));
        Deployment deployment = rendered.scheduler();

        assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
        assertThat(rendered.get(PodDisruptionBudget.class, "hami-scheduler").getSpec().getMinAvailable().getIntVal())
                .isEqualTo(1);
        assertThat(rendered.get(PodDisruptionBudget.class, "hami-scheduler").getSpec().getSelector().getMatchLabels())
                .isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
        var term = deployment.getSpec().getTemplate().getSpec().getAffinity().getPodAntiAffinity()
                .getPreferredDuringSchedulingIgnoredDuringExecution().get(0).getPodAffinityTerm();
        assertThat(term.getTopologyKey()).isEqualTo("kubernetes.io/hostname");
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(term.getLabelSelector().getMatchLabels());
        assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isZero();
        assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxSurge().getIntVal()).isEqualTo(1);

        Rendered maxUnavailable = Chart.render(Chart.Options.defaults().variant("ha")
                .set("scheduler.podDisruptionBudget.maxUnavailable", 1));
        var spec = maxUnavailable.get(PodDisruptionBudget.class, "hami-scheduler").getSpec();
        assertThat(spec.getMaxUnavailable().getIntVal()).isEqualTo(1);
        assertThat(spec.getMinAvailable()).isNull();
    }

    @Test
    void leaderReadinessReplacesEveryReplicaAtOnceAndHasNoDisruptionBudget() {
        Rendered rendered = Chart.render(Chart.Options.defaults().variant("ha-leader-readiness"));
        var rollout = rendered.scheduler().getSpec().getStrategy().getRollingUpdate();

        assertThat(rollout.getMaxUnavailable().getStrVal()).isEqualTo("100%");
        assertThat(rollout.getMaxSurge().getIntVal()).isZero();
        assertThat(rendered.all(PodDisruptionBudget.class)).isEmpty();
        assertThat(rendered.extenderEnv()).containsEntry("HAMI_READINESS_MODE", "leader");
    }

    @Test
    void extraArgumentsEnvironmentAndJvmOptionsReachOurContainer() {
        Rendered rendered = Chart.render(Chart.Options.defaults()
                .set("scheduler.extender.extraArgs[0]", "--hami.reconcile.interval=30s")
                .set("scheduler.extender.extraEnv[0].name", "HAMI_RESERVATION_TIMEOUT")
                .set("scheduler.extender.extraEnv[0].value", "90s")
                .set("scheduler.extender.javaOpts", "-Xmx700m")
                .set("scheduler.kubeScheduler.extraNewArgs[0]", "-v=2"));

        assertThat(rendered.extender().getArgs()).containsExactly("--hami.reconcile.interval=30s");
        assertThat(rendered.extenderEnv()).containsEntry("HAMI_RESERVATION_TIMEOUT", "90s")
                .containsEntry("JAVA_TOOL_OPTIONS", "-Xmx700m");
        assertThat(rendered.kubeScheduler().getCommand())
                .containsExactly("kube-scheduler", "--config=/config/config.yaml", "-v=2");
    }

    @Test
    void theResourcesOfEachContainerAreItsOwnValue() {
        Rendered rendered = Chart.render(Chart.Options.defaults()
                .set("scheduler.extender.resources.requests.cpu", "1")
                .set("scheduler.extender.resources.limits.memory", "2Gi")
                .set("scheduler.kubeScheduler.resources.requests.cpu", "300m")
                .set("scheduler.kubeScheduler.resources.limits.memory", "768Mi"));

        var ours = rendered.extender().getResources();
        assertThat(ours.getRequests().get("cpu").toString()).isEqualTo("1");
        assertThat(ours.getRequests().get("memory").toString()).isEqualTo("512Mi");
        assertThat(ours.getLimits().get("memory").toString()).isEqualTo("2Gi");
        var sidecar = rendered.kubeScheduler().getResources();
        assertThat(sidecar.getRequests().get("cpu").toString()).isEqualTo("300m");
        assertThat(sidecar.getRequests().get("memory").toString()).isEqualTo("128Mi");
        assertThat(sidecar.getLimits().get("memory").toString()).isEqualTo("768Mi");
    }

    @Test
    void beforeKubeScheduler122ExtraArgsApplyAndExtraNewArgsDoNot() {
        Rendered rendered = Chart.render(Chart.Options.defaults().kube("1.19.16")
                .set("scheduler.kubeScheduler.extraArgs[0]", "-v=2")
                .set("scheduler.kubeScheduler.extraNewArgs[0]", "-v=6"));

        assertThat(rendered.kubeScheduler().getCommand()).startsWith("kube-scheduler",
                "--policy-config-file=/config/config.json").endsWith("-v=2").doesNotContain("-v=6", "-v=4");
    }

    private static Map<String, String> literal(Map<String, String> env) {
        Map<String, String> literal = new LinkedHashMap<>(env);
        literal.values().removeIf(value -> value.startsWith("fieldRef:") || value.startsWith("secretKeyRef:"));
        return literal;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Binder binder(Map<String, String> env) {
        SystemEnvironmentPropertySource source = new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, (Map) env);
        return new Binder(ConfigurationPropertySources.from(source));
    }

    /** Records the env var behind every value the binder used. */
    private static BindHandler recording(Set<String> envVars) {
        return new BindHandler() {
            @Override
            public Object onSuccess(ConfigurationPropertyName name, Bindable<?> target, BindContext context,
                                    Object result) {
                if (context.getConfigurationProperty() != null
                        && context.getConfigurationProperty().getOrigin() instanceof PropertySourceOrigin origin) {
                    envVars.add(origin.getPropertyName());
                }
                return result;
            }
        };
    }
}
