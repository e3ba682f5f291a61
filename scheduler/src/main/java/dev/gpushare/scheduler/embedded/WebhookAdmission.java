package dev.gpushare.scheduler.embedded;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.zjsonpatch.JsonPatch;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Base64;
import java.util.UUID;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@link PodAdmission} by our own {@code /webhook} over TLS, as the API server calls a mutating webhook: an
 * {@code AdmissionReview v1} for {@code CREATE}, the answer's JSON Patch applied, a denial passed on with its
 * message. The serving certificate is the only one trusted (it is pinned, so the host name is not checked). A
 * webhook that cannot be reached lets the pod through unchanged, as HAMi's chart configures it
 * ({@code failurePolicy: Ignore}).
 */
public final class WebhookAdmission implements PodAdmission {

    private static final Logger log = LoggerFactory.getLogger(WebhookAdmission.class);
    private static final ObjectMapper MAPPER = Serialization.jsonMapper();
    private static final int TIMEOUT_MS = 10_000;

    private final URI webhook;
    private final SSLContext tls;

    private WebhookAdmission(URI webhook, SSLContext tls) {
        this.webhook = webhook;
        this.tls = tls;
    }

    /** {@code certificate}: the PEM file the webhook serves (its first certificate is trusted). */
    public static WebhookAdmission trusting(Path certificate, int port) {
        try (InputStream in = Files.newInputStream(certificate)) {
            Certificate served = CertificateFactory.getInstance("X.509").generateCertificate(in);
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry("webhook", served);
            TrustManagerFactory trustManagers =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trust);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, trustManagers.getTrustManagers(), null);
            return new WebhookAdmission(URI.create("https://127.0.0.1:" + port + "/webhook"), tls);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot trust the webhook certificate " + certificate + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public Verdict review(ObjectNode pod) {
        ObjectNode review = MAPPER.createObjectNode();
        review.put("apiVersion", "admission.k8s.io/v1");
        review.put("kind", "AdmissionReview");
        ObjectNode request = review.putObject("request");
        request.put("uid", UUID.randomUUID().toString());
        request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
        request.putObject("resource").put("group", "").put("version", "v1").put("resource", "pods");
        request.put("name", pod.path("metadata").path("name").asString());
        request.put("namespace", pod.path("metadata").path("namespace").asString());
        request.put("operation", "CREATE");
        request.putObject("userInfo").put("username", "kubernetes-admin");
        request.set("object", pod);
        request.put("dryRun", false);
        JsonNode response;
        try {
            response = post(MAPPER.writeValueAsString(review)).path("response");
        } catch (IOException | RuntimeException e) {
            log.warn("webhook call failed, pod {}/{} admitted unchanged (failurePolicy Ignore): {}",
                    pod.path("metadata").path("namespace").asString(), pod.path("metadata").path("name").asString(),
                    e.getMessage());
            return new Verdict.Allowed(pod);
        }
        if (!response.path("allowed").asBoolean(false)) {
            return new Verdict.Denied(response.path("status").path("message").asString("denied"));
        }
        String patch = response.path("patch").asString("");
        if (patch.isEmpty()) {
            return new Verdict.Allowed(pod);
        }
        JsonNode operations = MAPPER.readTree(new String(Base64.getDecoder().decode(patch), StandardCharsets.UTF_8));
        return new Verdict.Allowed((ObjectNode) JsonPatch.apply(operations, pod));
    }

    private JsonNode post(String body) throws IOException {
        HttpsURLConnection connection = (HttpsURLConnection) webhook.toURL().openConnection();
        connection.setSSLSocketFactory(tls.getSocketFactory());
        connection.setHostnameVerifier((host, session) -> true);
        connection.setConnectTimeout(TIMEOUT_MS);
        connection.setReadTimeout(TIMEOUT_MS);
        connection.setRequestMethod("POST");
        connection.setDoOutput(true);
        connection.setRequestProperty("Content-Type", "application/json");
        try (OutputStream out = connection.getOutputStream()) {
            out.write(body.getBytes(StandardCharsets.UTF_8));
        }
        if (connection.getResponseCode() != HttpURLConnection.HTTP_OK) {
            throw new IOException("webhook answered HTTP " + connection.getResponseCode());
        }
        try (InputStream in = connection.getInputStream()) {
            return MAPPER.readTree(in.readAllBytes());
        }
    }
}
