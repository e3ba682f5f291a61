package dev.gpushare.scheduler.config;

import dev.gpushare.common.annotation.AllocationEncoding;
import dev.gpushare.common.annotation.Excerpt;
import dev.gpushare.placement.GpuPolicy;
import dev.gpushare.placement.NodePolicy;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
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
        @DefaultValue Listeners listeners,
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
        @DefaultValue Ledger ledger,
        @DefaultValue Reconcile reconcile,
        @DefaultValue Metrics metrics,
        @DefaultValue Ui ui) {

    public HamiProperties {
        if (extender.port() != 0 && extender.port() == webhook.port()) {
            throw new IllegalArgumentException("hami.extender.port and hami.webhook.port must differ (both "
                    + extender.port() + "): the extender verbs must never be served on the webhook port");
        }
    }

    public enum KubernetesMode {
        /**
         * {@code cluster} in a pod (service-account token, {@code KUBERNETES_SERVICE_HOST}) or with a kubeconfig
         * ({@code KUBECONFIG}, {@code ~/.kube/config}), else {@code embedded}; resolved at start-up
         * ({@link ModeSelection}), so a bound {@code HamiProperties} never holds it.
         */
        AUTO,
        /** An in-process Kubernetes API seeded with simulated GPU nodes (the default, for trying it out). */
        EMBEDDED,
        /** A real cluster: in-cluster service account, {@code KUBECONFIG} or {@code ~/.kube/config}. */
        CLUSTER
    }

    /**
     * @param mode where the Kubernetes API comes from: {@code auto} (a real cluster when one is configured or we run
     *             in a pod, else the embedded API), {@code cluster} or {@code embedded} (refused inside a pod)
     */
    public record Kubernetes(@DefaultValue("auto") KubernetesMode mode) {
    }

    /**
     * The plain-HTTP listener of {@code /filter} and {@code /bind} (loopback by default, never exposed) and what
     * both verbs share. {@code max-body-bytes} and {@code sync-wait} were {@code hami.filter.*} before; the old
     * names are still read ({@link RenamedProperties}).
     *
     * @param address      interface the extender verbs listen on (kube-scheduler runs in the same pod)
     * @param port         port of the extender verbs and of its own {@code /healthz} and {@code /readyz}; 0 picks a
     *                     free one
     * @param maxThreads   worker threads of the listener (binds waiting for a node lock hold one each)
     * @param maxBodyBytes largest accepted extender request body
     * @param syncWait     how long a verb waits for this replica to lead with a synced state before answering an
     *                     error
     */
    public record Extender(@DefaultValue("127.0.0.1") String address, @DefaultValue("8888") int port,
                           @DefaultValue("200") int maxThreads, @DefaultValue("8MB") DataSize maxBodyBytes,
                           @DefaultValue("5s") Duration syncWait) {
    }

    /**
     * Both request listeners (extender and webhook).
     *
     * @param bodyReadTimeout total time a request body may take to arrive (well below the API server's webhook
     *                        timeout and kube-scheduler's extender timeout); 408 after it
     * @param idleTimeout     how long a connection may stay open without a request (or between the parts of one)
     * @param starvedAfter    how long every extender worker thread must have been busy before readiness says
     *                        the listener is starved
     */
    public record Listeners(@DefaultValue("5s") Duration bodyReadTimeout, @DefaultValue("10s") Duration idleTimeout,
                            @DefaultValue("5s") Duration starvedAfter) {
    }

    /**
     * The TLS listener of {@code /webhook}.
     *
     * @param port                           TLS port of {@code /webhook}; 0 picks a free one
     * @param tls                            the certificate files
     * @param forceOverwriteDefaultScheduler whether the webhook moves pods of the default scheduler to ours
     * @param annotationWriters              usernames that may change scheduler-owned pod annotations in an UPDATE
     *                                       (the scheduler's and the device plugin's service accounts); empty: UPDATEs
     *                                       are not checked
     */
    public record Webhook(@DefaultValue("8443") int port, @DefaultValue Tls tls,
                          @DefaultValue("true") boolean forceOverwriteDefaultScheduler,
                          @DefaultValue({}) List<String> annotationWriters) {
    }

    /**
     * PEM files of the webhook certificate; both empty means a throwaway self-signed certificate generated at
     * start-up (see {@code WebhookTlsEnvironmentPostProcessor}).
     *
     * @param certFile PEM certificate chain of {@code /webhook}, reloaded when the file changes
     * @param keyFile  PEM private key of that certificate
     */
    public record Tls(String certFile, String keyFile) {
    }

    /**
     * Defaults of the pod annotations {@code hami.io/node-scheduler-policy} and {@code gpu-scheduler-policy}.
     *
     * @param node               node policy of pods without the annotation: {@code binpack} or {@code spread}
     * @param gpu                GPU policy of pods without the annotation: {@code binpack}, {@code spread},
     *                           {@code topology-aware}, {@code mutex} or {@code numa} (one; a pod's annotation
     *                           may combine them)
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
     * @param mode          {@code none} (this replica always leads), {@code follow} (lead while holding a Lease
     *                      another process elects, e.g. kube-scheduler's) or {@code elect} (take part in the election
     *                      on the Lease ourselves)
     * @param leaseName     name of the Lease
     * @param leaseNamespace namespace of the Lease; default: env {@code POD_NAMESPACE}, else {@code default}
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

    /**
     * @param allocationEncoding how {@code hami.io/vgpu-devices-to-allocate} is written: {@code v2.8} (regular
     *                           containers only, what v2.8 device plugins read) or {@code v2.9} (init containers
     *                           first)
     */
    public record Compat(@DefaultValue("v2.8") AllocationEncoding allocationEncoding) {
    }

    /**
     * The simulated cluster of {@code hami.kubernetes.mode=embedded}.
     *
     * @param nodes       number of GPU nodes, named {@code <node-prefix>1..n}
     * @param nodePrefix  name prefix of the simulated nodes
     * @param gpusPerNode GPUs registered on each node
     * @param model       model name as a device plugin registers it
     * @param memoryMib   registered memory of each GPU
     * @param splitCount  tasks per GPU ({@code deviceSplitCount})
     * @param devicePlugin the emulated HAMi device plugin on each node
     * @param api          where the embedded API listens and the kubeconfig that points kubectl at it
     * @param scheduling   the built-in stand-in for kube-scheduler
     * @param demo         the demo workload
     */
    public record Embedded(@DefaultValue("2") int nodes,
                           @DefaultValue("gpu-node-") String nodePrefix,
                           @DefaultValue("4") int gpusPerNode,
                           @DefaultValue("NVIDIA A100-SXM4-40GB") String model,
                           @DefaultValue("40960") int memoryMib,
                           @DefaultValue("10") int splitCount,
                           @DefaultValue DevicePlugin devicePlugin,
                           @DefaultValue EmbeddedApi api,
                           @DefaultValue Scheduling scheduling,
                           @DefaultValue Demo demo) {
    }

    /**
     * @param port       loopback port of the embedded API; 0 picks a free one
     * @param kubeconfig file written at start with a context for the embedded API; empty writes none
     */
    public record EmbeddedApi(@DefaultValue("6443") int port, @DefaultValue("gpushare.kubeconfig") String kubeconfig) {
        public EmbeddedApi {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("hami.embedded.api.port must be 0..65535, got " + port);
            }
        }
    }

    /**
     * The embedded cluster's kube-scheduler: pods of {@code hami.scheduler-name} go through {@code /filter} and
     * {@code /bind}, with kube-scheduler's back-off for pods that do not fit.
     *
     * @param enabled        whether pods are scheduled at all
     * @param initialBackoff back-off after the first failed attempt (kube-scheduler's podInitialBackoffSeconds)
     * @param maxBackoff     longest back-off (kube-scheduler's podMaxBackoffSeconds)
     * @param maxUnschedulable an unschedulable pod is retried after this even if nothing changed in the cluster
     */
    public record Scheduling(@DefaultValue("true") boolean enabled,
                             @DefaultValue("1s") Duration initialBackoff,
                             @DefaultValue("10s") Duration maxBackoff,
                             @DefaultValue("5m") Duration maxUnschedulable) {
        public Scheduling {
            if (initialBackoff.isNegative() || initialBackoff.isZero() || maxBackoff.compareTo(initialBackoff) < 0) {
                throw new IllegalArgumentException("hami.embedded.scheduling needs 0 < initial-backoff <= max-backoff,"
                        + " got " + initialBackoff + ", " + maxBackoff);
            }
        }
    }

    /**
     * A stream of GPU pods of every kind, each deleted once it has run for {@code runFor} ({@code --demo} sets
     * {@code enabled}).
     *
     * @param enabled  whether the demo workload is submitted (embedded mode; {@code --demo} sets it)
     * @param interval time between two submitted pods
     * @param runFor   how long a demo pod runs before it completes
     * @param maxPods  demo pods that exist at once, at most
     */
    public record Demo(@DefaultValue("false") boolean enabled, @DefaultValue("4s") Duration interval,
                       @DefaultValue("60s") Duration runFor, @DefaultValue("14") int maxPods) {
        public Demo {
            if (interval.isNegative() || interval.isZero() || runFor.isNegative() || maxPods < 1) {
                throw new IllegalArgumentException("hami.embedded.demo needs interval > 0, run-for >= 0 and"
                        + " max-pods >= 1, got " + interval + ", " + runFor + ", " + maxPods);
            }
        }
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

    /**
     * Which placements found in pod annotations the usage ledger counts: those whose seal verifies, and unsealed ones
     * only as far as this migration setting allows (see docs/operations/migration.md).
     *
     * @param sealKeyFile         file whose bytes (at least 32) are the placement seal key shared by every replica
     *                            (the chart mounts it from a Secret); empty: a key generated at start, allowed only in
     *                            embedded mode
     * @param trustUnsealed       count every unsealed allocation (HAMi's Go scheduler places pods beside this one);
     *                            forged allocations are then counted too
     * @param trustUnsealedBefore count unsealed allocations of pods created before this RFC 3339 time (the pods placed
     *                            before the switch from HAMi's Go scheduler); empty: none
     */
    public record Ledger(String sealKeyFile, @DefaultValue("false") boolean trustUnsealed,
                         String trustUnsealedBefore) {

        public Ledger {
            unsealedCutOff(trustUnsealedBefore);  // a bad time fails the start, naming the setting
        }

        /** {@link #trustUnsealedBefore} as an instant, empty when not set. */
        public Optional<Instant> unsealedCutOff() {
            return unsealedCutOff(trustUnsealedBefore);
        }

        private static Optional<Instant> unsealedCutOff(String value) {
            if (value == null || value.isBlank()) {
                return Optional.empty();
            }
            try {
                return Optional.of(OffsetDateTime.parse(value.trim()).toInstant());
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("hami.ledger.trust-unsealed-before must be an RFC 3339 time such as"
                        + " 2026-12-01T00:00:00Z, got " + Excerpt.of(value));
            }
        }
    }

    /** @param interval how often the usage ledger is compared with the informer store and repaired */
    public record Reconcile(@DefaultValue("1m") Duration interval) {
    }
    /**
     * @param legacyNames whether {@code /metrics} also serves HAMi's v2.8 series names ({@code GPUDeviceMemoryLimit},
     *                    ...) beside the v2.10 ones, as HAMi's {@code --legacy-metrics} does (chart value
     *                    {@code legacyMetrics})
     */
    public record Metrics(@DefaultValue("false") boolean legacyNames) {
    }

    /**
     * The read-only GPU page at {@code /ui/} on the management listener.
     *
     * @param enabled whether the GPU page and its JSON and server-sent-event feeds are served
     * @param refresh how often an open page's picture is compared with the ledger and sent when it changed
     */
    public record Ui(@DefaultValue("true") boolean enabled, @DefaultValue("1s") Duration refresh) {
        public Ui {
            if (refresh.isNegative() || refresh.isZero()) {
                throw new IllegalArgumentException("hami.ui.refresh must be positive, got " + refresh);
            }
        }
    }
}
