package dev.gpushare.scheduler.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.scheduler.embedded.ApiServerDispatcher;
import dev.gpushare.scheduler.embedded.EmbeddedApiServer;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The node lock against the embedded API: compare-and-set, owner check, healing, FIFO waiting. */
class NodeLockServiceTest {

    private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
    private static final Duration EXPIRE = Duration.ofMinutes(5);
    private static final AtomicInteger NODES = new AtomicInteger();

    private static EmbeddedApiServer api;
    private static KubernetesClient client;
    private static final ExecutorService threads = Executors.newCachedThreadPool();

    private final NodeLockQueues queues = new NodeLockQueues();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final NodeLockService locks = new NodeLockService(client, queues, EXPIRE,
            Clock.fixed(NOW, ZoneOffset.UTC), meters);

    @BeforeAll
    static void start() {
        api = EmbeddedApiServer.start(new ApiServerDispatcher(), 0);
        client = api.newClient();
    }

    @AfterAll
    static void stop() {
        threads.shutdownNow();
        client.close();
        api.close();
    }

    private static String node(String lock) {
        String name = "lock-node-" + NODES.incrementAndGet();
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name)
                .withAnnotations(lock == null ? Map.of() : Map.of(HamiKeys.NODE_LOCK, lock)).endMetadata()
                .build()).create();
        return name;
    }

    private static void pod(String namespace, String name, String nodeName, String phase) {
        client.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withName(name)
                .withNamespace(namespace).endMetadata().withNewSpec().withNodeName(nodeName).addNewContainer()
                .withName("c").withImage("i").endContainer().endSpec().withNewStatus().withPhase(phase).endStatus()
                .build()).create();
    }

    private static String lockOf(String node) {
        Map<String, String> annotations = client.nodes().withName(node).get().getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(HamiKeys.NODE_LOCK);
    }

    @Test
    void freeLockIsTakenWithHamisValueFormat() throws Exception {
        String node = node(null);

        LockResult result = locks.acquire(node, "ns", "p", Duration.ZERO, () -> true);

        assertThat(result).isInstanceOfSatisfying(LockResult.Acquired.class, a -> assertThat(a.how()).isEqualTo("free"));
        assertThat(lockOf(node)).isEqualTo("2026-11-23T12:00:00Z,ns,p");
    }

    @Test
    void theHolderTakesItAgainWithAFreshTimestamp() throws Exception {
        String node = node("2026-11-23T11:58:00Z,ns,p");

        LockResult result = locks.acquire(node, "ns", "p", Duration.ZERO, () -> true);

        assertThat(result).isInstanceOfSatisfying(LockResult.Acquired.class,
                a -> assertThat(a.how()).isEqualTo("re-entrant"));
        assertThat(lockOf(node)).isEqualTo("2026-11-23T12:00:00Z,ns,p");
    }

    @Test
    void anExpiredLockIsBroken() throws Exception {
        pod("ns", "old-owner", null, "Pending");
        String node = node("2026-11-23T11:54:59Z,ns,old-owner");

        LockResult result = locks.acquire(node, "ns", "p", Duration.ZERO, () -> true);

        assertThat(result).isInstanceOfSatisfying(LockResult.Acquired.class,
                a -> assertThat(a.how()).startsWith("healed expired lock"));
        assertThat(lockOf(node)).isEqualTo("2026-11-23T12:00:00Z,ns,p");
        assertThat(meters.counter("gpushare_node_lock_heals", "kind", "expired").count()).isEqualTo(1);
        assertThat(meters.counter("gpushare_node_lock_heals", "kind", "malformed").count()).isZero();
        assertThat(meters.timer("gpushare_node_lock_wait", "outcome", "acquired").count()).isEqualTo(1);
    }

    @Test
    void aLockOfAGonePodIsHealed() throws Exception {
        String node = node("2026-11-23T11:59:00Z,ns,gone");

        LockResult result = locks.acquire(node, "ns", "p", Duration.ZERO, () -> true);

        assertThat(result).isInstanceOfSatisfying(LockResult.Acquired.class,
                a -> assertThat(a.how()).contains("owner pod is gone"));
        assertThat(lockOf(node)).isEqualTo("2026-11-23T12:00:00Z,ns,p");
    }

    @Test
    void aLockOfAFinishedPodOrAPodBoundElsewhereIsHealed() throws Exception {
        pod("ns", "finished", null, "Succeeded");
        pod("ns", "elsewhere", "some-other-node", "Pending");
        String first = node("2026-11-23T11:59:00Z,ns,finished");
        String second = node("2026-11-23T11:59:00Z,ns,elsewhere");

        assertThat(locks.acquire(first, "ns", "p", Duration.ZERO, () -> true))
                .isInstanceOfSatisfying(LockResult.Acquired.class,
                a -> assertThat(a.how()).contains("owner pod Succeeded"));
        assertThat(locks.acquire(second, "ns", "p", Duration.ZERO, () -> true))
                .isInstanceOfSatisfying(LockResult.Acquired.class,
                a -> assertThat(a.how()).contains("owner pod is bound to some-other-node"));
    }

    @Test
    void aMalformedLockIsHealed() throws Exception {
        String node = node("not-a-time,ns");

        LockResult result = locks.acquire(node, "ns", "p", Duration.ZERO, () -> true);

        assertThat(result).isInstanceOfSatisfying(LockResult.Acquired.class,
                a -> assertThat(a.how()).startsWith("healed malformed lock"));
        assertThat(lockOf(node)).isEqualTo("2026-11-23T12:00:00Z,ns,p");
        assertThat(meters.counter("gpushare_node_lock_heals", "kind", "malformed").count()).isEqualTo(1);
    }

    @Test
    void aLockOfALivePodFailsAtOnceWithoutWait() throws Exception {
        pod("ns", "holder", null, "Pending");
        String node = node("2026-11-23T11:59:30Z,ns,holder");

        LockResult result = locks.acquire(node, "ns", "p", Duration.ZERO, () -> true);

        assertThat(result).isEqualTo(new LockResult.Refused(LockResult.Cause.HELD,
                "node " + node + " is locked by ns/holder since 2026-11-23T11:59:30Z", Duration.ZERO));
        assertThat(lockOf(node)).isEqualTo("2026-11-23T11:59:30Z,ns,holder");
        assertThat(meters.timer("gpushare_node_lock_wait", "outcome", "refused").count()).isEqualTo(1);
        assertThat(meters.counter("gpushare_node_lock_wait_timeouts").count()).isZero();
    }

    @Test
    void aLegacyTimestampOnlyLockIsHeldUntilItExpires() throws Exception {
        String node = node("2026-11-23T11:59:30Z");

        LockResult result = locks.acquire(node, "ns", "p", Duration.ZERO, () -> true);

        assertThat(result).isInstanceOfSatisfying(LockResult.Refused.class,
                r -> assertThat(r.reason()).contains("locked by a legacy lock"));
    }

    @Test
    void releaseIsOwnerChecked() {
        String node = node("2026-11-23T11:59:30Z,ns,holder");

        assertThat(locks.release(node, "ns", "someone-else")).isTrue();
        assertThat(lockOf(node)).isEqualTo("2026-11-23T11:59:30Z,ns,holder");

        assertThat(locks.release(node, "ns", "holder")).isTrue();
        assertThat(lockOf(node)).isNull();
        assertThat(client.nodes().withName(node).get().getMetadata().getAnnotations())
                .doesNotContainKey(HamiKeys.NODE_LOCK);
    }

    @Test
    void waitersGetTheLockFirstComeFirstServed() throws Exception {
        pod("ns", "holder-a", null, "Pending");
        pod("ns", "b", null, "Pending");
        pod("ns", "c", null, "Pending");
        String node = node("2026-11-23T11:59:30Z,ns,holder-a");
        Duration wait = Duration.ofSeconds(20);

        CompletableFuture<Thread> bThread = new CompletableFuture<>();
        CompletableFuture<LockResult> b = CompletableFuture.supplyAsync(() -> {
            bThread.complete(Thread.currentThread());
            return acquire(node, "b", wait);
        }, threads);
        awaitWaiting(bThread.get());
        CompletableFuture<Thread> cThread = new CompletableFuture<>();
        CompletableFuture<LockResult> c = CompletableFuture.supplyAsync(() -> {
            cThread.complete(Thread.currentThread());
            return acquire(node, "c", wait);
        }, threads);
        awaitWaiting(cThread.get());

        locks.release(node, "ns", "holder-a");
        assertThat(b.get(10, TimeUnit.SECONDS)).isInstanceOf(LockResult.Acquired.class);
        assertThat(lockOf(node)).isEqualTo("2026-11-23T12:00:00Z,ns,b");
        assertThat(c).isNotDone();

        locks.release(node, "ns", "b");
        assertThat(c.get(10, TimeUnit.SECONDS)).isInstanceOf(LockResult.Acquired.class);
        assertThat(lockOf(node)).isEqualTo("2026-11-23T12:00:00Z,ns,c");
    }

    @Test
    void aWaiterGivesUpAfterTheLockWait() throws Exception {
        pod("ns", "holder-t", null, "Pending");
        String node = node("2026-11-23T11:59:30Z,ns,holder-t");
        NodeLockService ticking = new NodeLockService(client, queues, EXPIRE, Clock.systemUTC(), meters);
        client.nodes().withName(node).edit(n -> {
            n.getMetadata().getAnnotations().put(HamiKeys.NODE_LOCK,
                    dev.gpushare.common.lock.NodeLockValue.heldBy(Instant.now(), "ns", "holder-t").format());
            return n;
        });

        LockResult result = ticking.acquire(node, "ns", "p", Duration.ofMillis(300), () -> true);

        assertThat(result).isInstanceOfSatisfying(LockResult.Refused.class, r -> {
            assertThat(r.cause()).isEqualTo(LockResult.Cause.TIMED_OUT);
            assertThat(r.reason()).contains("is locked by ns/holder-t").contains("waited 300ms");
            assertThat(r.waited()).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        });
        assertThat(meters.counter("gpushare_node_lock_wait_timeouts").count()).isEqualTo(1);
        assertThat(meters.timer("gpushare_node_lock_wait", "outcome", "refused").totalTime(TimeUnit.MILLISECONDS))
                .isGreaterThanOrEqualTo(300);
        assertThat(lockOf(node)).endsWith(",ns,holder-t");
    }

    @Test
    void bindsToDifferentNodesDoNotWaitForEachOther() throws Exception {
        pod("ns", "holder-x", null, "Pending");
        String busy = node("2026-11-23T11:59:30Z,ns,holder-x");
        String free = node(null);
        CompletableFuture<Thread> waiter = new CompletableFuture<>();
        CompletableFuture<LockResult> blocked = CompletableFuture.supplyAsync(() -> {
            waiter.complete(Thread.currentThread());
            return acquire(busy, "y", Duration.ofSeconds(20));
        }, threads);
        awaitWaiting(waiter.get());

        assertThat(locks.acquire(free, "ns", "z", Duration.ofSeconds(20), () -> true))
                .isInstanceOf(LockResult.Acquired.class);
        assertThat(blocked).isNotDone();
        locks.release(busy, "ns", "holder-x");
        assertThat(blocked.get(10, TimeUnit.SECONDS)).isInstanceOf(LockResult.Acquired.class);
    }

    @Test
    void releaseOwnRemovesOnlyTheExactValueThisCallWrote() throws Exception {
        String node = node(null);
        LockResult.Acquired first = (LockResult.Acquired) locks.acquire(node, "ns", "p", Duration.ZERO,
                () -> true);
        assertThat(first.value()).isEqualTo("2026-11-23T12:00:00Z,ns,p");
        String later = "2026-11-23T12:00:05Z,ns,p";
        client.nodes().withName(node).edit(n -> {
            n.getMetadata().getAnnotations().put(HamiKeys.NODE_LOCK, later);
            return n;
        });

        assertThat(locks.releaseOwn(node, first.value())).isTrue();
        assertThat(lockOf(node)).as("a later call's lock of the same pod stays").isEqualTo(later);

        assertThat(locks.releaseOwn(node, later)).isTrue();
        assertThat(lockOf(node)).isNull();
    }

    private LockResult acquire(String node, String pod, Duration wait) {
        try {
            return locks.acquire(node, "ns", pod, wait, () -> true);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitWaiting(Thread thread) {
        await().atMost(Duration.ofSeconds(10)).until(() -> thread.getState() == Thread.State.TIMED_WAITING);
    }
}
