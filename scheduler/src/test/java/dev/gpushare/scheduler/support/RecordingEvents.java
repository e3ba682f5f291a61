package dev.gpushare.scheduler.support;

import dev.gpushare.scheduler.events.Events;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.List;

/** Events as lines in a test's list of calls: {@code event <type> <reason>: <message>} and {@code node event <reason>}. */
public final class RecordingEvents implements Events {

    private final List<String> calls;

    public RecordingEvents(List<String> calls) {
        this.calls = calls;
    }

    @Override
    public void onPod(ObjectMeta pod, Type type, String reason, String message) {
        calls.add("event " + type + " " + reason + ": " + message);
    }

    @Override
    public void onNode(ObjectMeta node, Type type, String reason, String message) {
        calls.add("node event " + reason);
    }
}
