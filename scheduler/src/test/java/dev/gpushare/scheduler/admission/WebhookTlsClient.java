package dev.gpushare.scheduler.admission;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * A client of the TLS webhook port that trusts exactly one CA (a PEM file, as certgen writes {@code ca.crt}) and
 * checks the host name, as the API server does. Every call makes a new TLS connection, so it sees the certificate
 * the server presents now.
 */
final class WebhookTlsClient {

    /** What a handshake agreed on. */
    record Handshake(String protocol, X509Certificate peer, String cipherSuite) {
    }

    private final int port;
    private final SSLContext trust;

    WebhookTlsClient(int port, Path caPem) {
        this.port = port;
        this.trust = trusting(caPem);
    }

    /** {@code POST /webhook} with a JSON body; throws when the server is not trusted. */
    HttpResponse<String> post(byte[] body) throws IOException, InterruptedException {
        return post(HttpRequest.BodyPublishers.ofByteArray(body));
    }

    HttpResponse<String> post(HttpRequest.BodyPublisher body) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().sslContext(trust).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/webhook"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json").POST(body).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** A TLS handshake offering only {@code protocol}; throws when it fails. */
    Handshake handshake(String protocol) throws IOException {
        return handshake(protocol, new String[0]);
    }

    /** A TLS handshake offering only {@code protocol} and {@code suites} (the JDK's defaults when none). */
    Handshake handshake(String protocol, String... suites) throws IOException {
        try (SSLSocket socket = (SSLSocket) trust.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setProtocols(new String[] {protocol});
            if (suites.length > 0) {
                parameters.setCipherSuites(suites);
            }
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return new Handshake(socket.getSession().getProtocol(),
                    (X509Certificate) socket.getSession().getPeerCertificates()[0],
                    socket.getSession().getCipherSuite());
        }
    }

    static X509Certificate readCertificate(Path pem) throws IOException {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("not a certificate: " + pem, e);
        }
    }

    private static SSLContext trusting(Path caPem) {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            store.setCertificateEntry("ca", readCertificate(caPem));
            TrustManagerFactory trustManagers =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trustManagers.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot trust " + caPem, e);
        }
    }
}
