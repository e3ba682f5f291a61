package dev.gpushare.scheduler.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gpushare.testkit.ManualClock;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Watches over plain HTTP, as kubectl ({@code get -w}, {@code wait}, {@code rollout status}) and every Go client
 * send them ({@code kubectl -v=8} shows the requests): one JSON watch event per line, from the resource version the
 * client listed, with its field selector, as a server-side table when asked, ending after {@code timeoutSeconds}.
 */
class PlainWatchTest {

    private static final String NS = "watch";
    private static final String TABLE_ACCEPT = "application/json;as=Table;v=v1;g=meta.k8s.io,"
            + "application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

    private final KubectlDispatcher dispatcher = new KubectlDispatcher(new ApiServerDispatcher(),
            new ManualClock(Instant.now()));
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private EmbeddedApiServer api;
    private KubernetesClient client;

    @BeforeEach
    void start() {
        api = EmbeddedApiServer.start(dispatcher, 0);
        client = api.newClient();
    }

    @AfterEach
    void stop() {
        client.close();
        api.close();
    }

    /** The lines of one streamed answer as they come, and how it ended. */
    private final class Watch implements AutoCloseable {

        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final CompletableFuture<HttpResponse<Stream<String>>> response;
        volatile boolean ended;

        Watch(String pathAndQuery, String accept) {
            response = http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + pathAndQuery))
                    .header("Accept", accept).GET().build(), HttpResponse.BodyHandlers.ofLines());
            response.thenAccept(r -> CompletableFuture.runAsync(() -> {
                r.body().forEach(lines::add);
                ended = true;
            }));
        }

        JsonNode next() throws InterruptedException {
            String line = lines.poll(30, TimeUnit.SECONDS);
            assertThat(line).as("a watch event within 30 s").isNotNull();
            return Serialization.jsonMapper().readTree(line);
        }

        @Override
        public void close() {
            response.thenAccept(r -> r.body().close());
            response.cancel(true);
        }
    }

    private Pod pod(String name) {
        return client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().addNewContainer().withName("main").withImage("busybox").endContainer().endSpec()
                .build()).create();
    }

    private static String summary(JsonNode event) {
        return event.get("type").asString() + " " + event.path("object").path("metadata").path("name").asString();
    }

    @Test
    void withoutAResourceVersionEveryPodIsAddedThenEachChangeFollows() throws Exception {
        pod("a");
        try (Watch watch = new Watch("/api/v1/namespaces/" + NS + "/pods?watch=true", "application/json")) {
            assertThat(watch.response.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(watch.response.get().headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(summary(watch.next())).isEqualTo("ADDED a");
            await().atMost(Duration.ofSeconds(30)).until(() -> api.watchesStreaming() == 1);

            pod("b");
            assertThat(summary(watch.next())).isEqualTo("ADDED b");
            client.pods().inNamespace(NS).withName("a").edit(p -> new PodBuilder(p).editMetadata()
                    .addToLabels("seen", "yes").endMetadata().build());
            JsonNode modified = watch.next();
            assertThat(summary(modified)).isEqualTo("MODIFIED a");
            assertThat(modified.at("/object/metadata/labels/seen").asString()).isEqualTo("yes");
            client.pods().inNamespace(NS).withName("b").delete();
            assertThat(summary(watch.next())).isEqualTo("DELETED b");
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> api.watchesStreaming() == 0);
    }

    @Test
    void fromTheListsResourceVersionOnlyWhatChangedSinceIsSent() throws Exception {
        pod("unchanged");
        pod("changed");
        String listed = client.pods().inNamespace(NS).list().getMetadata().getResourceVersion();
        client.pods().inNamespace(NS).withName("changed").edit(p -> new PodBuilder(p).editMetadata()
                .addToLabels("after", "list").endMetadata().build());

        try (Watch watch = new Watch("/api/v1/namespaces/" + NS + "/pods?resourceVersion=" + listed
                + "&watch=true", "application/json")) {
            JsonNode replayed = watch.next();
            assertThat(summary(replayed)).isEqualTo("MODIFIED changed");
            assertThat(replayed.at("/object/metadata/labels/after").asString()).isEqualTo("list");
            pod("later");
            assertThat(summary(watch.next())).as("nothing about the unchanged pod in between")
                    .isEqualTo("ADDED later");
        }
    }

    @Test
    void theFieldSelectorOfKubectlWaitNarrowsTheWatchToOnePod() throws Exception {
        pod("other");
        pod("waited");
        try (Watch watch = new Watch("/api/v1/namespaces/" + NS + "/pods?fieldSelector=metadata.name%3Dwaited"
                + "&watch=true", "application/json")) {
            assertThat(summary(watch.next())).isEqualTo("ADDED waited");
            await().atMost(Duration.ofSeconds(30)).until(() -> api.watchesStreaming() == 1);
            client.pods().inNamespace(NS).withName("other").edit(p -> new PodBuilder(p).editMetadata()
                    .addToLabels("x", "1").endMetadata().build());
            client.pods().inNamespace(NS).withName("waited").edit(p -> new PodBuilder(p).editMetadata()
                    .addToLabels("x", "1").endMetadata().build());
            assertThat(summary(watch.next())).isEqualTo("MODIFIED waited");
        }
    }

    @Test
    void kubectlGetWatchGetsEachChangeAsATableRow() throws Exception {
        pod("row");
        try (Watch watch = new Watch("/api/v1/namespaces/" + NS + "/pods?watch=true", TABLE_ACCEPT)) {
            JsonNode event = watch.next();
            assertThat(event.get("type").asString()).isEqualTo("ADDED");
            assertThat(event.at("/object/kind").asString()).isEqualTo("Table");
            assertThat(event.at("/object/columnDefinitions/0/name").asString()).isEqualTo("Name");
            assertThat(event.at("/object/rows").size()).isEqualTo(1);
            assertThat(event.at("/object/rows/0/cells/0").asString()).isEqualTo("row");
        }
    }

    @Test
    void theStreamEndsAfterItsTimeoutSeconds() throws Exception {
        try (Watch watch = new Watch("/api/v1/nodes?timeoutSeconds=1&watch=true", "application/json")) {
            assertThat(watch.response.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(30)).until(() -> watch.ended);
            assertThat(watch.lines).isEmpty();
        }
        assertThat(api.watchesStreaming()).isZero();
    }

    @Test
    void aBadFieldSelectorIsABadRequestNotAStream() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port()
                + "/api/v1/pods?fieldSelector=spec.nodeName&watch=true")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(Serialization.jsonMapper().readTree(response.body()).get("message").asString())
                .isEqualTo("invalid field selector term \"spec.nodeName\": expected <field>=<value>,"
                        + " <field>==<value> or <field>!=<value>");
        assertThat(api.watchesStreaming()).isZero();
    }
}
