package dev.gpushare.scheduler.embedded;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * The embedded API of the tests: {@link ApiServerDispatcher} plus test hooks. Injected failures answer a
 * matching request with an error status instead of serving it, or serve it late; a pinned UID makes a created pod keep the UID of a
 * captured request (the API server assigns UIDs, and the kube-1.19 fixtures name theirs).
 */
public class TestApiServerDispatcher extends ApiServerDispatcher {

    /** {@code code} 0: not an error but a slow answer, {@code delayMillis} late. */
    private record Fault(String method, Pattern path, int code, long delayMillis, AtomicInteger remaining) {
    }

    private final List<Fault> faults = new CopyOnWriteArrayList<>();
    private volatile java.util.function.Consumer<RecordedRequest> observer = request -> { };
    private final Map<String, String> pinnedUids = new ConcurrentHashMap<>();

    /** The next {@code times} requests with this method and a path matching {@code pathRegex} get {@code code}. */
    public void fail(String method, String pathRegex, int code, int times) {
        faults.removeIf(spent -> spent.remaining().get() <= 0);
        faults.add(new Fault(method, Pattern.compile(pathRegex), code, 0, new AtomicInteger(times)));
    }

    /** The next {@code times} matching requests are answered {@code delay} late (a slow API server). */
    public void slow(String method, String pathRegex, java.time.Duration delay, int times) {
        faults.removeIf(spent -> spent.remaining().get() <= 0);
        faults.add(new Fault(method, Pattern.compile(pathRegex), 0, delay.toMillis(), new AtomicInteger(times)));
    }

    /** Sees every request before it is served (or failed), on the server's threads. */
    public void observe(java.util.function.Consumer<RecordedRequest> observer) {
        this.observer = observer;
    }

    public void clearFaults() {
        faults.clear();
    }

    /** The pod {@code namespace/name}, when created, gets {@code uid}. */
    public void pinUid(String namespace, String name, String uid) {
        pinnedUids.put(namespace + "/" + name, uid);
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        observer.accept(request);
        for (Fault fault : faults) {
            if (fault.method().equals(request.getMethod()) && fault.path().matcher(request.getPath()).find()
                    && fault.remaining().getAndDecrement() > 0) {
                if (fault.code() == 0) {
                    try {
                        Thread.sleep(fault.delayMillis());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    break;
                }
                return new MockResponse().setResponseCode(fault.code()).setBody(Serialization.asJson(
                        new StatusBuilder().withStatus("Failure").withCode(fault.code()).withReason("InjectedFault")
                                .withMessage("injected failure").build()));
            }
        }
        return super.dispatch(request);
    }

    @Override
    public void processEvent(String path, AttributeSet pathAttributes, AttributeSet oldAttributes,
                             GenericKubernetesResource resource, String newState) {
        if (oldAttributes == null && resource != null && "Pod".equals(resource.getKind())) {
            String uid = pinnedUids.get(resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName());
            if (uid != null) {
                resource.getMetadata().setUid(uid);
                newState = Serialization.asJson(resource);
            }
        }
        super.processEvent(path, pathAttributes, oldAttributes, resource, newState);
    }
}
