package dev.gpushare.scheduler.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.gpushare.scheduler.kube.MergePatch;
import dev.gpushare.scheduler.kube.PodBindings;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The embedded API answers as the API server does where fabric8's CRUD mock does not. */
class ApiServerDispatcherTest {

    private static EmbeddedApiServer api;
    private static KubernetesClient client;
    private static PodBindings bindings;

    @BeforeAll
    static void start() {
        api = EmbeddedApiServer.start(new ApiServerDispatcher(), 0);
        client = api.newClient();
        bindings = new PodBindings(client);
    }

    @AfterAll
    static void stop() {
        client.close();
        api.close();
    }

    private static Pod create(String name) {
        return client.pods().inNamespace("d").resource(new PodBuilder().withNewMetadata().withName(name)
                .withNamespace("d").endMetadata().withNewSpec().addNewContainer().withName("c").withImage("i")
                .endContainer().endSpec().build()).create();
    }

    @Test
    void bindingSetsNodeNameAndBumpsResourceVersion() throws Exception {
        Pod pod = create("bind-ok");

        bindings.bind("d", "bind-ok", pod.getMetadata().getUid(), "node-a");

        Pod bound = client.pods().inNamespace("d").withName("bind-ok").get();
        assertThat(bound.getSpec().getNodeName()).isEqualTo("node-a");
        assertThat(Long.parseLong(bound.getMetadata().getResourceVersion()))
                .isGreaterThan(Long.parseLong(pod.getMetadata().getResourceVersion()));
        assertThat(client.bindings().inNamespace("d").list().getItems()).isEmpty();
    }

    @Test
    void bindingAnUnknownPodIs404() {
        assertThatThrownBy(() -> bindings.bind("d", "missing", "u", "node-a"))
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(404);
                    assertThat(e.getMessage()).isEqualTo("pods \"missing\" not found");
                });
    }

    @Test
    void bindingABoundPodIs409AndKeepsItsNode() throws Exception {
        Pod pod = create("bind-twice");
        bindings.bind("d", "bind-twice", pod.getMetadata().getUid(), "node-a");

        assertThatThrownBy(() -> bindings.bind("d", "bind-twice", pod.getMetadata().getUid(), "node-b"))
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(409);
                    assertThat(e.getMessage()).contains("is already assigned to node \"node-a\"");
                });
        assertThat(client.pods().inNamespace("d").withName("bind-twice").get().getSpec().getNodeName())
                .isEqualTo("node-a");
    }

    @Test
    void bindingWithAnotherUidIs409() {
        create("bind-uid");

        assertThatThrownBy(() -> bindings.bind("d", "bind-uid", "not-its-uid", "node-a"))
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(409);
                    assertThat(e.getMessage()).contains("Precondition failed: UID in precondition: not-its-uid");
                });
        assertThat(client.pods().inNamespace("d").withName("bind-uid").get().getSpec().getNodeName()).isNull();
    }

    @Test
    void jsonPatchWithAFailingTestIs422AndChangesNothing() {
        Pod pod = create("patch-test");
        String patch = "[{\"op\":\"test\",\"path\":\"/metadata/resourceVersion\",\"value\":\"0\"},"
                + "{\"op\":\"add\",\"path\":\"/metadata/labels\",\"value\":{\"a\":\"b\"}}]";

        assertThatThrownBy(() -> client.pods().inNamespace("d").withName("patch-test")
                .patch(PatchContext.of(PatchType.JSON), patch))
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422));
        Pod after = client.pods().inNamespace("d").withName("patch-test").get();
        assertThat(after.getMetadata().getLabels()).isNullOrEmpty();
        assertThat(after.getMetadata().getResourceVersion()).isEqualTo(pod.getMetadata().getResourceVersion());
    }

    @Test
    void mergePatchWithAStaleResourceVersionIs409() {
        Pod pod = create("patch-cas");
        client.pods().inNamespace("d").withName("patch-cas").patch(PatchContext.of(PatchType.JSON_MERGE),
                MergePatch.metadata().annotation("k", "1").json());

        assertThatThrownBy(() -> client.pods().inNamespace("d").withName("patch-cas")
                .patch(PatchContext.of(PatchType.JSON_MERGE), MergePatch.metadata().annotation("k", "2")
                        .ifResourceVersion(pod.getMetadata().getResourceVersion()).json()))
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
        assertThat(client.pods().inNamespace("d").withName("patch-cas").get().getMetadata().getAnnotations())
                .containsEntry("k", "1");
    }

    @Test
    void mergePatchWithNullRemovesTheAnnotation() {
        create("patch-null");
        client.pods().inNamespace("d").withName("patch-null").patch(PatchContext.of(PatchType.JSON_MERGE),
                MergePatch.metadata().annotation("k", "1").annotation("keep", "x").json());

        client.pods().inNamespace("d").withName("patch-null").patch(PatchContext.of(PatchType.JSON_MERGE),
                MergePatch.metadata().annotation("k", null).json());

        assertThat(client.pods().inNamespace("d").withName("patch-null").get().getMetadata().getAnnotations())
                .containsExactlyEntriesOf(java.util.Map.of("keep", "x"));
    }

    @Test
    void closingAWatchWhileEventsFlowDoesNotStallTheServer() throws Exception {
        create("churn");
        for (int round = 0; round < 5; round++) {
            AtomicInteger received = new AtomicInteger();
            Watch watch = client.pods().inNamespace("d").watch(new Watcher<>() {
                @Override
                public void eventReceived(Action action, Pod pod) {
                    received.incrementAndGet();
                }

                @Override
                public void onClose(WatcherException cause) {
                }
            });
            CompletableFuture<Void> churn = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 100; i++) {
                    client.pods().inNamespace("d").withName("churn").patch(PatchContext.of(PatchType.JSON_MERGE),
                            MergePatch.metadata().annotation("i", Integer.toString(i)).json());
                }
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> received.get() > 5);
            watch.close();
            // Every request keeps being answered: the client's 10 s request timeout would fail them otherwise.
            churn.get(30, TimeUnit.SECONDS);
            assertThat(client.pods().inNamespace("d").withName("churn").get()).isNotNull();
        }
    }

    @Test
    void podsAreListedAndWatchedByAnyFieldAsTheApiServerServesThem() throws Exception {
        Pod there = create("fs-there");
        Pod elsewhere = create("fs-elsewhere");
        create("fs-unbound");
        bindings.bind("d", "fs-there", there.getMetadata().getUid(), "node-fs");
        bindings.bind("d", "fs-elsewhere", elsewhere.getMetadata().getUid(), "node-other");

        assertThat(client.pods().inAnyNamespace().withField("spec.nodeName", "node-fs").list().getItems())
                .extracting(p -> p.getMetadata().getName()).containsExactly("fs-there");
        assertThat(client.pods().inNamespace("d").withoutField("spec.nodeName", "").list().getItems())
                .extracting(p -> p.getMetadata().getName()).contains("fs-there", "fs-elsewhere")
                .doesNotContain("fs-unbound");

        java.util.concurrent.BlockingQueue<String> events = new java.util.concurrent.LinkedBlockingQueue<>();
        try (Watch watch = client.pods().inNamespace("d").withField("spec.nodeName", "node-fs").watch(
                new Watcher<Pod>() {
                    @Override
                    public void eventReceived(Action action, Pod pod) {
                        events.add(action + " " + pod.getMetadata().getName());
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                    }
                })) {
            assertThat(events.poll(30, TimeUnit.SECONDS)).as("the pods there when the watch starts")
                    .isEqualTo("ADDED fs-there");
            client.pods().inNamespace("d").withName("fs-elsewhere").edit(p -> new PodBuilder(p).editMetadata()
                    .addToLabels("touched", "1").endMetadata().build());
            client.pods().inNamespace("d").withName("fs-there").edit(p -> new PodBuilder(p).editMetadata()
                    .addToLabels("touched", "1").endMetadata().build());
            assertThat(events.poll(30, TimeUnit.SECONDS)).as("only the pod on node-fs")
                    .isEqualTo("MODIFIED fs-there");
        }
    }

    /** What the name index serves must be what the store holds, through create, patch, delete and re-create. */
    @Test
    void objectsAskedForByNameAreTheStoresCurrentOnes() {
        client.nodes().resource(new io.fabric8.kubernetes.api.model.NodeBuilder().withNewMetadata()
                .withName("same-name").endMetadata().build()).create();
        Pod first = create("same-name");
        client.pods().inNamespace("e").resource(new PodBuilder().withNewMetadata().withName("same-name")
                .withNamespace("e").endMetadata().build()).create();

        assertThat(client.nodes().withName("same-name").get().getKind()).isEqualTo("Node");
        assertThat(client.pods().inNamespace("d").withName("same-name").get().getMetadata().getUid())
                .isEqualTo(first.getMetadata().getUid());
        assertThat(client.pods().inNamespace("e").withName("same-name").get().getMetadata().getNamespace())
                .isEqualTo("e");

        client.pods().inNamespace("d").withName("same-name").edit(p -> new PodBuilder(p).editMetadata()
                .addToAnnotations("seen", "2").endMetadata().build());
        assertThat(client.pods().inNamespace("d").withName("same-name").get().getMetadata().getAnnotations())
                .containsEntry("seen", "2");

        assertThatThrownBy(() -> create("same-name")).as("a second pod of the name")
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));

        client.pods().inNamespace("d").withName("same-name").delete();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> client.pods().inNamespace("d").withName("same-name").get() == null);
        Pod again = create("same-name");
        assertThat(again.getMetadata().getUid()).isNotEqualTo(first.getMetadata().getUid());
        assertThat(client.pods().inNamespace("d").withName("same-name").get().getMetadata().getUid())
                .isEqualTo(again.getMetadata().getUid());
        assertThat(client.pods().inNamespace("e").withName("same-name").get()).isNotNull();
        assertThat(client.nodes().withName("same-name").get()).isNotNull();
    }

    /**
     * A list by field parses only the objects whose text holds the value; an object that mentions the value
     * elsewhere (an annotation) is still judged by the field itself, and the list carries the store's version.
     */
    @Test
    void aFieldSelectedListJudgesEveryCandidateByItsField() throws Exception {
        Pod bound = create("fsl-bound");
        bindings.bind("d", "fsl-bound", bound.getMetadata().getUid(), "node-fsl");
        client.pods().inNamespace("d").resource(new PodBuilder().withNewMetadata().withName("fsl-mentions")
                .withNamespace("d").addToAnnotations("note", "node-fsl").endMetadata().build()).create();

        io.fabric8.kubernetes.api.model.PodList list = client.pods().inAnyNamespace()
                .withField("spec.nodeName", "node-fsl").list();

        assertThat(list.getItems()).extracting(p -> p.getMetadata().getName()).containsExactly("fsl-bound");
        long newest = client.pods().inAnyNamespace().list().getItems().stream()
                .mapToLong(p -> Long.parseLong(p.getMetadata().getResourceVersion())).max().orElseThrow();
        assertThat(Long.parseLong(list.getMetadata().getResourceVersion())).isGreaterThanOrEqualTo(newest);
    }

    /** Events live in their own store: served as before, and never among the pods or nodes. */
    @Test
    void eventsAreServedFromTheirOwnStore() {
        Pod pod = create("evented");
        client.v1().events().inNamespace("d").resource(new io.fabric8.kubernetes.api.model.EventBuilder()
                .withNewMetadata().withName("evented.1").withNamespace("d").endMetadata()
                .withNewInvolvedObject().withKind("Pod").withName("evented").withNamespace("d")
                .withUid(pod.getMetadata().getUid()).endInvolvedObject().withReason("Tested").withMessage("m")
                .build()).create();

        assertThat(client.v1().events().inNamespace("d").withName("evented.1").get().getReason()).isEqualTo("Tested");
        assertThat(client.v1().events().inAnyNamespace().withField("involvedObject.name", "evented").list()
                .getItems()).extracting(e -> e.getMetadata().getName()).containsExactly("evented.1");
        client.v1().events().inNamespace("d").withName("evented.1").edit(e -> {
            e.setCount(2);
            return e;
        });
        assertThat(client.v1().events().inNamespace("d").withName("evented.1").get().getCount()).isEqualTo(2);
        assertThat(client.pods().inNamespace("d").withName("evented.1").get()).isNull();
        client.v1().events().inNamespace("d").withName("evented.1").delete();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> client.v1().events().inNamespace("d").withName("evented.1").get() == null);
    }
}
