package dev.gpushare.scheduler.leader;

import dev.gpushare.common.annotation.HamiKeys;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gpushare.scheduler.support.TestObjects;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

/**
 * The chart's layout ({@code follow}: the kube-scheduler sidecar holds the Lease, written here by the test) with
 * {@code always} readiness: every replica is ready, and the leader labels the pods so a Service can select it. The
 * tests run in order on the same pair of replicas.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AlwaysReadinessTest {

    private static final String SYSTEM = "hami-always";
    private static final String COMPONENT = "app.kubernetes.io/component";
    private static final Duration WAIT = Duration.ofSeconds(20);

    private SharedApi api;
    private SchedulerReplica c;
    private SchedulerReplica d;

    @BeforeAll
    void start() {
        api = SharedApi.start();
        for (String name : List.of("sched-c", "sched-d")) {
            api.client.pods().inNamespace(SYSTEM).resource(pod(name, "hami-scheduler")).create();
        }
        api.client.pods().inNamespace(SYSTEM).resource(pod("device-plugin-x", "hami-device-plugin")).create();
        String[] settings = {"hami.leader-election.mode=follow", "hami.readiness.mode=always"};
        // One after the other: Spring Boot's logging set-up is not safe for two applications starting at once.
        c = SchedulerReplica.start("sched-c", SYSTEM, settings);
        d = SchedulerReplica.start("sched-d", SYSTEM, settings);
    }

    @AfterAll
    void stop() {
        for (SchedulerReplica replica : new SchedulerReplica[] {c, d}) {
            if (replica != null) {
                replica.close();
            }
        }
        api.close();
    }

    @Test
    @Order(1)
    void withoutALeaseNobodyLeadsYetEveryReplicaIsReady() {
        assertThat(c.readyz()).containsExactly(200, 200);
        assertThat(d.readyz()).containsExactly(200, 200);
        assertThat(roles()).isEqualTo(roles(null, null));
        Pod pending = TestObjects.create(api.client, TestObjects.gpuPod("work", "pending", 1, 1000, null));
        JsonNode refused = c.extender.filter(pending, List.of("any-node"));
        assertThat(refused.get("Error").asString()).isEqualTo("not the leader: this replica (sched-c) does not hold"
                + " lease hami-always/hami-scheduler, nobody does (waited 1000ms)");
    }

    @Test
    @Order(2)
    void theLeaderLabelsItselfAndItsPeersAndTheLabelsFollowTheLease() {
        takeLease("sched-c");
        await().atMost(WAIT).until(() -> roles().equals(roles("leader", "follower")));
        assertThat(c.serving()).isTrue();
        assertThat(c.readyz()).containsExactly(200, 200);
        assertThat(d.readyz()).containsExactly(200, 200);
        assertThat(labels("device-plugin-x")).as("not a peer").doesNotContainKey(HamiKeys.SCHEDULER_ROLE);

        takeLease("sched-d");
        await().atMost(WAIT).until(() -> roles().equals(roles("follower", "leader")));
        assertThat(d.serving()).isTrue();
        assertThat(c.leadership().status().leader()).isFalse();
        assertThat(c.readyz()).containsExactly(200, 200);
        assertThat(labels("device-plugin-x")).doesNotContainKey(HamiKeys.SCHEDULER_ROLE);
    }

    /**
     * Every replica answers {@code /webhook}. The quota check needs the synced ledger, which only the leader has: the
     * leader refuses an over-quota pod, a follower admits it and says so in the answer's warnings ({@code /filter}
     * on the leader will check the quota again).
     */
    @Test
    @Order(3)
    void aFollowerAdmitsWithAWarningWhereTheLeaderChecksTheQuota() {
        takeLease("sched-d");
        await().atMost(WAIT).until(() -> d.serving());
        api.client.resourceQuotas().inNamespace("team-q").resource(new ResourceQuotaBuilder().withNewMetadata()
                .withName("gpu").withNamespace("team-q").endMetadata().withNewSpec()
                .addToHard("limits.nvidia.com/gpumem", new Quantity("1000")).endSpec().build()).create();
        String review = "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":"
                + "{\"uid\":\"u-quota\",\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"},"
                + "\"namespace\":\"team-q\",\"operation\":\"CREATE\",\"object\":{\"apiVersion\":\"v1\","
                + "\"kind\":\"Pod\",\"metadata\":{\"name\":\"big\",\"namespace\":\"team-q\"},\"spec\":"
                + "{\"schedulerName\":\"hami-scheduler\",\"containers\":[{\"name\":\"c\",\"image\":\"i\","
                + "\"resources\":{\"limits\":{\"nvidia.com/gpu\":\"1\",\"nvidia.com/gpumem\":\"3000\"}}}]}}}}";

        await().atMost(WAIT).untilAsserted(() -> assertThat(d.webhook(review)).isEqualTo("{\"apiVersion\":"
                + "\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"response\":{\"uid\":\"u-quota\","
                + "\"allowed\":false,\"status\":{\"status\":\"Failure\",\"code\":403,\"reason\":\"Forbidden\","
                + "\"message\":\"exceeding resource quota: pod requests 3000 MiB of nvidia.com/gpumem in total,"
                + " namespace team-q has 1000 MiB left under limits.nvidia.com/gpumem\"}}}"));
        assertThat(c.leadership().status().leader()).isFalse();
        assertThat(c.webhook(review)).isEqualTo("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":"
                + "\"AdmissionReview\",\"response\":{\"uid\":\"u-quota\",\"allowed\":true,\"warnings\":"
                + "[\"GPU quota of namespace team-q not checked at admission (this scheduler replica is a follower or"
                + " has not synced its ledger yet): the scheduler checks it before placing the pod\"]}}");
    }

    @Test
    @Order(4)
    void leadershipLostAndRegainedIsANewTermWithItsOwnRebuild() {
        takeLease("sched-d");
        await().atMost(WAIT).until(() -> d.serving());
        long before = d.leadership().status().term();

        takeLease("sched-c");
        takeLease("sched-d");

        await().atMost(WAIT).until(() -> d.leadership().status().term() == before + 1 && d.serving());
        await().atMost(WAIT).until(() -> roles().equals(roles("follower", "leader")));
    }

    /** What the sidecar's elector writes when it takes the lease: a new holder, renewed now. */
    private void takeLease(String pod) {
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        Lease existing = api.client.leases().inNamespace(SYSTEM).withName("hami-scheduler").get();
        LeaseBuilder lease = existing == null
                ? new LeaseBuilder().withNewMetadata().withNamespace(SYSTEM).withName("hami-scheduler").endMetadata()
                : new LeaseBuilder(existing);
        Lease taken = lease.editOrNewSpec().withHolderIdentity(pod + "_" + UUID.randomUUID())
                .withLeaseDurationSeconds(60).withAcquireTime(now).withRenewTime(now).endSpec().build();
        if (existing == null) {
            api.client.leases().inNamespace(SYSTEM).resource(taken).create();
        } else {
            api.client.leases().inNamespace(SYSTEM).resource(taken).update();
        }
    }

    private Map<String, String> roles() {
        return roles(labels("sched-c").get(HamiKeys.SCHEDULER_ROLE), labels("sched-d").get(HamiKeys.SCHEDULER_ROLE));
    }

    private static Map<String, String> roles(String c, String d) {
        Map<String, String> roles = new HashMap<>();
        roles.put("sched-c", c);
        roles.put("sched-d", d);
        return roles;
    }

    private Map<String, String> labels(String pod) {
        Map<String, String> labels = api.client.pods().inNamespace(SYSTEM).withName(pod).get().getMetadata()
                .getLabels();
        return labels == null ? Map.of() : labels;
    }

    private static Pod pod(String name, String component) {
        return new PodBuilder().withNewMetadata().withNamespace(SYSTEM).withName(name).addToLabels(COMPONENT, component)
                .endMetadata().withNewSpec().addNewContainer().withName("main").withImage("x").endContainer()
                .endSpec().build();
    }
}
