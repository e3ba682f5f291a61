package dev.gpushare.scheduler.events;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The last decisions about pods (the events the scheduler writes on them: {@code FilteringSucceed},
 * {@code FilteringFailed}, {@code BindingSucceed}, {@code BindingFailed}, ...), newest first, at most
 * {@code capacity}; what the GPU page lists as recent decisions.
 */
public final class DecisionLog {

    /** One decision; {@code type} is the event type ({@code Normal} or {@code Warning}). */
    public record Decision(Instant time, String namespace, String pod, String type, String reason, String message) {
    }

    private final int capacity;
    private final Deque<Decision> decisions = new ArrayDeque<>();

    public DecisionLog(int capacity) {
        this.capacity = capacity;
    }

    public synchronized void add(Decision decision) {
        decisions.addFirst(decision);
        while (decisions.size() > capacity) {
            decisions.removeLast();
        }
    }

    public synchronized List<Decision> recent() {
        return new ArrayList<>(decisions);
    }
}
