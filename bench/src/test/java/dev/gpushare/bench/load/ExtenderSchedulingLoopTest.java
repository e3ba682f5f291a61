package dev.gpushare.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gpushare.bench.load.ExtenderSchedulingLoop.FilterAnswer;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** kube-scheduler's rules for how often an extender is asked, on a hand-written extender. */
class ExtenderSchedulingLoopTest {

    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private volatile String bindError = "";

    private final ExtenderSchedulingLoop.Extender extender = new ExtenderSchedulingLoop.Extender() {
        @Override
        public FilterAnswer filter(Pod pod) {
            calls.add("filter " + pod.getMetadata().getName());
            return new FilterAnswer.Fits("node-1");
        }

        @Override
        public String bind(Pod pod, String node) {
            calls.add("bind " + pod.getMetadata().getName() + " " + node);
            return bindError;
        }
    };
    private final ExtenderSchedulingLoop loop = new ExtenderSchedulingLoop("hami-scheduler",
            new SchedulingQueue(Duration.ofMillis(10), Duration.ofMillis(20), System::nanoTime), extender,
            new ExtenderSchedulingLoop.Observer() {
                @Override
                public void failed(Pod pod, String stage, String message) {
                    failures.add(stage + ": " + message);
                }
            });

    @AfterEach
    void close() throws InterruptedException {
        loop.close();
    }

    private static PodBuilder pod(String name) {
        return new PodBuilder().withNewMetadata().withName(name).withUid("uid-" + name).withResourceVersion("1")
                .endMetadata().withNewSpec().withSchedulerName("hami-scheduler").endSpec();
    }

    private Pod scheduled(String name) {
        Pod pod = pod(name).build();
        loop.onAdd(pod);
        loop.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> calls.contains("bind " + name + " node-1"));
        return pod;
    }

    @Test
    void anAnnotationOnlyUpdateOfAnAssumedPodAsksNothingAgain() {
        Pod pod = scheduled("a");

        loop.onUpdate(pod, pod(pod.getMetadata().getName()).editMetadata().withResourceVersion("2")
                .addToAnnotations("hami.io/vgpu-node", "node-1").endMetadata().build());

        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(1)).until(() -> calls.size() == 2);
        assertThat(calls).containsExactly("filter a", "bind a node-1");
    }

    @Test
    void aLabelOnAnAssumedPodMakesKubeSchedulerFilterItAgain() {
        Pod pod = scheduled("a");

        loop.onUpdate(pod, pod("a").editMetadata().withResourceVersion("2").addToLabels("hami.io/vgpu-node", "node-1")
                .endMetadata().build());

        await().atMost(Duration.ofSeconds(5)).until(() -> calls.size() >= 3);
        assertThat(calls.subList(0, 3)).containsExactly("filter a", "bind a node-1", "filter a");
        assertThat(failures).first().isEqualTo("assume: pod a is in the cache, so can't be assumed");
        // Once the pod is seen bound it leaves the queue: no further calls.
        loop.onUpdate(pod, pod("a").editSpec().withNodeName("node-1").endSpec().build());
        int settled = calls.size();
        // At most the attempt already in flight finishes (its filter and its bind); with a backoff of 10-20 ms,
        // retries would add dozens.
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> calls.size() <= settled + 2);
    }

    @Test
    void aFailedBindIsFilteredAgainAfterItsBackoff() {
        bindError = "node-1 is locked";
        Pod pod = scheduled("a");
        await().atMost(Duration.ofSeconds(5)).until(() -> calls.size() >= 3);
        bindError = "";
        await().atMost(Duration.ofSeconds(5)).until(() -> calls.size() >= 4);
        loop.onUpdate(pod, pod("a").editSpec().withNodeName("node-1").endSpec().build());

        assertThat(calls.subList(0, 4)).containsExactly("filter a", "bind a node-1", "filter a", "bind a node-1");
        assertThat(failures).first().isEqualTo("bind: node-1 is locked");
    }
}
