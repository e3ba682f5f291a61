package dev.gpushare.scheduler.config;

import dev.gpushare.common.annotation.AllocationEncoding;
import dev.gpushare.placement.GpuPolicy;
import dev.gpushare.placement.NodePolicy;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Every {@code hami.*} setting (names and defaults from DESIGN.md; the chart and the docs depend on them).
 *
 * @param schedulerName     the kube-scheduler profile we serve; also the source component of our events
 * @param deviceConfigFile  HAMi's {@code device-config.yaml}; empty means the built-in defaults
 */
@ConfigurationProperties("hami")
public record HamiProperties(
        @DefaultValue("hami-scheduler") String schedulerName,
        @DefaultValue Kubernetes kubernetes,
        @DefaultValue Extender extender,
        @DefaultValue Webhook webhook,
        @DefaultValue Policy policy,
        @DefaultValue NodeLock nodeLock,
        @DefaultValue Bind bind,
        @DefaultValue LeaderElection leaderElection,
        @DefaultValue Readiness readiness,
        @DefaultValue Pod pod,
        String deviceConfigFile,
        @DefaultValue Compat compat,
        @DefaultValue Embedded embedded,
        @DefaultValue Reservation reservation,
        @DefaultValue Reconcile reconcile) {

    public HamiProperties {
        if (extender.port() != 0 && extender.port() == webhook.port()) {
            throw new IllegalArgumentException("hami.extender.port and hami.webhook.port must differ (both "
                    + extender.port() + "): the extender verbs must never be served on the webhook port");
        }
    }

    public enum KubernetesMode {
        /** An in-process Kubernetes API seeded with simulated GPU nodes (the default, for trying it out). */
        EMBEDDED,
        /** A real cluster: in-cluster service account, {@code KUBECONFIG} or {@code ~/.kube/config}. */
        CLUSTER
    }

    /** @param mode where the Kubernetes API comes from */
    public record Kubernetes(@DefaultValue("embedded") KubernetesMode mode) {
    }

    /**
     * The plain-HTTP listener of {@code /filter} and {@code /bind} (loopback by default, never exposed) and what
     * both verbs share. {@code max-body-bytes} and {@code sync-wait} were {@code hami.filter.*} before; the old
     * names are still read ({@link RenamedProperties}).
     *
     * @param maxBodyBytes largest accepted extender request body
     * @param syncWait     how long a verb waits for this replica to lead with a synced state before answering an
     *                     error
     */
    public record Extender(@DefaultValue("127.0.0.1") String address, @DefaultValue("8888") int port,
                           @DefaultValue("8MB") DataSize maxBodyBytes, @DefaultValue("5s") Duration syncWait) {
    }

    /**
     * The TLS listener of {@code /webhook}.
     *
     * @param forceOverwriteDefaultScheduler whether the webhook moves pods of the default scheduler to ours
     */
    public record Webhook(@DefaultValue("8443") int port, @DefaultValue Tls tls,
                          @DefaultValue("true") boolean forceOverwriteDefaultScheduler) {
    }

    /**
     * PEM files of the webhook certificate; both empty means a throwaway self-signed certificate generated at
     * start-up (see {@code WebhookTlsEnvironmentPostProcessor}).
     */
    public record Tls(String certFile, String keyFile) {
    }

    /**
     * Defaults of the pod annotations {@code hami.io/node-scheduler-policy} and {@code gpu-scheduler-policy}.
     *
     * @param skipUpgradingNodes whether nodes whose GPU driver the NVIDIA GPU Operator is upgrading get no new GPU
     *                           pods ({@code NodeDriverUpgrading})
     */
    public record Policy(@DefaultValue("binpack") NodePolicy node, @DefaultValue("spread") GpuPolicy gpu,
                         @DefaultValue("true") boolean skipUpgradingNodes) {
    }

    /** @param expire age after which a node lock ({@code hami.io/mutex.lock}) is broken */
    public record NodeLock(@DefaultValue("5m") Duration expire) {
    }

    /**
     * @param lockWait how long {@code /bind} waits for a node lock held by another pod; below kube-scheduler's
     *                 30 s extender timeout; 0 fails at once as HAMi does
     */
    public record Bind(@DefaultValue("20s") Duration lockWait) {
        public Bind {
            if (lockWait.isNegative() || lockWait.compareTo(Duration.ofSeconds(28)) > 0) {
                throw new IllegalArgumentException("hami.bind.lock-wait must be between 0 and 28s (kube-scheduler"
                        + " gives up on an extender call after 30s), got " + lockWait);
            }
        }
    }

    public enum LeaderElectionMode { NONE, FOLLOW, ELECT }

    /**
     * @param identity      our holder identity; default: env {@code POD_NAME}, else the hostname
     * @param leaseDuration {@code elect}: how long a lease not renewed keeps others from taking it
     * @param renewDeadline {@code elect}: how long the leader keeps leading without a successful renewal
     * @param retryPeriod   {@code elect}: how often the lease is renewed, or its acquisition tried
     */
    public record LeaderElection(@DefaultValue("none") LeaderElectionMode mode,
                                 @DefaultValue("hami-scheduler") String leaseName,
                                 String leaseNamespace,
                                 String identity,
                                 @DefaultValue("15s") Duration leaseDuration,
                                 @DefaultValue("10s") Duration renewDeadline,
                                 @DefaultValue("2s") Duration retryPeriod) {
        public LeaderElection {
            if (leaseNamespace == null || leaseNamespace.isBlank()) {
                leaseNamespace = envOr("POD_NAMESPACE", "default");
            }
            if (identity == null || identity.isBlank()) {
                identity = envOr("POD_NAME", hostname());
            }
            if (identity.contains("_")) {
                throw new IllegalArgumentException("hami.leader-election.identity must not contain '_' (a lease"
                        + " holder is <identity>_<uuid>), got " + identity);
            }
            if (leaseDuration.compareTo(renewDeadline) <= 0 || renewDeadline.compareTo(retryPeriod) <= 0
                    || retryPeriod.compareTo(Duration.ZERO) <= 0) {
                throw new IllegalArgumentException("hami.leader-election needs lease-duration > renew-deadline >"
                        + " retry-period > 0, got " + leaseDuration + ", " + renewDeadline + ", " + retryPeriod);
            }
        }

        private static String envOr(String name, String fallback) {
            String value = System.getenv(name);
            return value == null || value.isBlank() ? fallback : value;
        }

        private static String hostname() {
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                return "localhost";
            }
        }
    }

    public enum ReadinessMode { LEADER, ALWAYS }

    /**
     * @param mode      {@code leader}: {@code /readyz} is UP only on the leader once synced; {@code always}: UP on
     *                  every replica, and the leader labels the pods {@code hami.io/scheduler-role}
     * @param peerLabel {@code always}: the pods of our namespace with our value of this label are our peers
     */
    public record Readiness(@DefaultValue("leader") ReadinessMode mode,
                            @DefaultValue("app.kubernetes.io/component") String peerLabel) {
    }

    /**
     * This replica's own pod (the chart passes both through the downward API); either empty means none is known (a
     * local run): no role labels and no catch-up marker.
     *
     * @param name      default: env {@code POD_NAME}
     * @param namespace default: env {@code POD_NAMESPACE}
     */
    public record Pod(String name, String namespace) {
        public Pod {
            if (name == null || name.isBlank()) {
                name = LeaderElection.envOr("POD_NAME", "");
            }
            if (namespace == null || namespace.isBlank()) {
                namespace = LeaderElection.envOr("POD_NAMESPACE", "");
            }
        }
    }

    public record Compat(@DefaultValue("v2.8") AllocationEncoding allocationEncoding) {
    }

    /**
     * The simulated cluster of {@code hami.kubernetes.mode=embedded}.
     *
     * @param nodes       number of GPU nodes, named {@code <node-prefix>1..n}
     * @param gpusPerNode GPUs registered on each node
     * @param model       model name as a device plugin registers it
     * @param memoryMib   registered memory of each GPU
     * @param splitCount  tasks per GPU ({@code deviceSplitCount})
     * @param devicePlugin the emulated HAMi device plugin on each node
     */
    public record Embedded(@DefaultValue("2") int nodes,
                           @DefaultValue("gpu-node-") String nodePrefix,
                           @DefaultValue("4") int gpusPerNode,
                           @DefaultValue("NVIDIA A100-SXM4-40GB") String model,
                           @DefaultValue("40960") int memoryMib,
                           @DefaultValue("10") int splitCount,
                           @DefaultValue DevicePlugin devicePlugin) {
    }

    /**
     * @param enabled         whether embedded nodes run the device-plugin emulator
     * @param allocationDelay time the emulated plugin takes per allocation (kubelet admission + Allocate)
     */
    public record DevicePlugin(@DefaultValue("true") boolean enabled,
                               @DefaultValue("100ms") Duration allocationDelay) {
    }

    /** @param timeout a reservation made by {@code /filter} for a pod that stays unbound is dropped after this */
    public record Reservation(@DefaultValue("2m") Duration timeout) {
    }

    /** @param interval how often the usage ledger is compared with the informer store and repaired */
    public record Reconcile(@DefaultValue("1m") Duration interval) {
    }
}
