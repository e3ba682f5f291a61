package dev.gpushare.certgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A write that loses the optimistic-lock race (409) is decided again on fresh data, never forced through. */
class CertgenConflictTest {

    /** Answers the first {@code conflicts} updates with 409 Conflict, as the API server does on a stale version. */
    private static final class ConflictingDispatcher extends KubernetesCrudDispatcher {
        final AtomicInteger conflicts;
        final AtomicInteger updates = new AtomicInteger();

        ConflictingDispatcher(int conflicts) {
            this.conflicts = new AtomicInteger(conflicts);
        }

        @Override
        public MockResponse handleUpdate(RecordedRequest request) {
            updates.incrementAndGet();
            if (conflicts.getAndDecrement() > 0) {
                return new MockResponse().setResponseCode(409).setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\","
                        + "\"status\":\"Failure\",\"reason\":\"Conflict\",\"code\":409,\"message\":\"the object has "
                        + "been modified\"}");
            }
            return super.handleUpdate(request);
        }
    }

    private KubernetesMockServer server;
    private KubernetesClient client;
    private ConflictingDispatcher dispatcher;

    @BeforeEach
    void start() {
        dispatcher = new ConflictingDispatcher(0);
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
        server.init();
        client = server.createClient();
    }

    @AfterEach
    void stop() {
        client.close();
        server.destroy();
    }

    @Test
    void renewalRetriesAfterAConflict() {
        Instant t0 = Instant.parse("2026-03-01T00:00:00Z");
        assertThat(create(t0, "svc.ns.svc").exitCode()).isZero();
        dispatcher.conflicts.set(1);

        CertgenRun run = create(t0, "svc.ns.svc,other.ns.svc");

        assertThat(run.exitCode()).isZero();
        assertThat(dispatcher.updates.get()).isEqualTo(2);
        assertThat(run.out()).contains("changed concurrently").contains("renewed secrets \"tls\"");
        assertThat(new WebhookHosts(List.of("other.ns.svc")).missingFrom(secretCertificate())).isEmpty();
    }

    @Test
    void persistentConflictsGiveUpWithExitCodeOne() {
        Instant t0 = Instant.parse("2026-03-01T00:00:00Z");
        create(t0, "svc.ns.svc");
        dispatcher.conflicts.set(Integer.MAX_VALUE);

        CertgenRun run = create(t0, "svc.ns.svc,other.ns.svc");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(dispatcher.updates.get()).isEqualTo(CreateSecretCommand.MAX_ATTEMPTS);
        assertThat(run.err()).startsWith("certgen: cannot update secrets \"tls\" in namespace \"ns\": HTTP 409: "
                + "the object has been modified");
    }

    private X509Certificate secretCertificate() {
        try {
            return Pem.readCertificate(SecretCertificates.decode(
                    client.secrets().inNamespace("ns").withName("tls").get().getData(), SecretCertificates.CERT));
        } catch (PemException e) {
            throw new AssertionError(e);
        }
    }

    private CertgenRun create(Instant now, String hosts) {
        return CertgenRun.of(client, Clock.fixed(now, ZoneOffset.UTC), "create", "--namespace", "ns",
                "--secret-name", "tls", "--host", hosts);
    }
}
