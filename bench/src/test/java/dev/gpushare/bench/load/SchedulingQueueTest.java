package dev.gpushare.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SchedulingQueueTest {

    private final AtomicLong now = new AtomicLong();
    private final SchedulingQueue queue = new SchedulingQueue(Duration.ofSeconds(1), Duration.ofSeconds(10), now::get);

    static Pod pod(String name, String label) {
        return new PodBuilder().withNewMetadata().withName(name).withUid("uid-" + name).addToLabels("l", label)
                .endMetadata().build();
    }

    private Optional<String> next() throws InterruptedException {
        return queue.pop(Duration.ZERO).map(p -> p.getMetadata().getName() + ":" + p.getMetadata().getLabels().get("l"));
    }

    @Test
    void kubeSchedulersBackoffDoublesFromOneSecondToTen() {
        assertThat(java.util.stream.IntStream.rangeClosed(1, 6).mapToObj(queue::backoffFor).toList()).containsExactly(
                Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8),
                Duration.ofSeconds(10), Duration.ofSeconds(10));
    }

    @Test
    void podsComeInArrivalOrderAndAnUpdateOfAQueuedPodKeepsItsPlace() throws Exception {
        queue.add(pod("a", "1"));
        queue.add(pod("b", "1"));
        queue.update(pod("a", "2"));

        assertThat(next()).contains("a:2");
        assertThat(next()).contains("b:1");
        assertThat(next()).isEmpty();
    }

    @Test
    void anUpdateOfAPodInNoQueueSendsItToTheBack() throws Exception {
        queue.add(pod("a", "1"));
        queue.add(pod("b", "1"));
        assertThat(next()).contains("a:1");

        queue.update(pod("a", "2"));

        assertThat(next()).contains("b:1");
        assertThat(next()).contains("a:2");
    }

    @Test
    void aFailedPodWaitsForItsBackoffAndBoundPodsLeave() throws Exception {
        queue.add(pod("a", "1"));
        assertThat(next()).contains("a:1");
        queue.backoff(pod("a", "1"));
        queue.add(pod("b", "1"));

        assertThat(next()).contains("b:1");
        now.addAndGet(Duration.ofMillis(999).toNanos());
        assertThat(next()).isEmpty();
        now.addAndGet(Duration.ofMillis(1).toNanos());
        assertThat(next()).contains("a:1");

        queue.backoff(pod("a", "1"));
        now.addAndGet(Duration.ofSeconds(2).toNanos());
        queue.delete(pod("a", "1"));
        assertThat(next()).isEmpty();
        assertThat(queue.size()).isZero();
    }
}
