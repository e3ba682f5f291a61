package dev.gpushare.scheduler.listener;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpushare.scheduler.support.SchedulerSpringTest;
import dev.gpushare.scheduler.support.TrustAll;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

/**
 * Clients that send a body one byte at a time, or not at all, hold no worker thread, and a body that is not
 * complete within the deadline is answered 408. Both listeners have 4 worker threads here; 12 slow clients on each
 * would starve them if a thread waited for their bytes.
 */
@SchedulerSpringTest
@TestPropertySource(properties = {
        "hami.extender.max-threads=4",
        "server.tomcat.threads.max=4",
        "server.tomcat.threads.min-spare=1",
        "hami.listeners.body-read-timeout=3s",
})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class SlowClientsTest {

    private static final int SLOW_CLIENTS = 12;

    @LocalServerPort
    int webhookPort;
    @Autowired
    ExtenderListener extender;

    private final List<Socket> slow = new ArrayList<>();
    private final SSLContext trustAll = TrustAll.context();

    @AfterEach
    void closeSlowClients() throws IOException {
        for (Socket socket : slow) {
            socket.close();
        }
    }

    /** Sends headers announcing 1000 bytes and the first byte of the body, then nothing more. */
    private Socket trickle(Socket socket, String path) throws IOException {
        socket.setSoTimeout(20_000);
        OutputStream out = socket.getOutputStream();
        out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: 1000\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        slow.add(socket);
        return socket;
    }

    private Socket extenderTrickle(String path) throws IOException {
        return trickle(new Socket("127.0.0.1", extender.port()), path);
    }

    private Socket webhookTrickle() throws IOException {
        Socket socket = trustAll.getSocketFactory().createSocket("127.0.0.1", webhookPort);
        return trickle(socket, "/webhook");
    }

    private static String statusLine(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != -1 && c != '\r'; c = in.read()) {
            line.append((char) c);
        }
        return line.toString();
    }

    @Test
    void tricklingClientsDoNotHoldTheWorkerThreadsOfEitherListener() throws Exception {
        for (int i = 0; i < SLOW_CLIENTS; i++) {
            extenderTrickle(i % 2 == 0 ? "/filter" : "/bind");
            webhookTrickle();
        }
        HttpClient http = HttpClient.newBuilder().sslContext(trustAll).sslParameters(TrustAll.withoutHostnameCheck())
                .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

        // The bound on each call is far below the deadline plus Tomcat's idle timeout that would free a held thread.
        HttpResponse<String> filter = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + extender.port() + "/filter")).timeout(Duration.ofSeconds(2)).POST(HttpRequest.BodyPublishers
                .ofString("[]")).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> webhook = http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:"
                + webhookPort + "/webhook")).timeout(Duration.ofSeconds(2)).POST(HttpRequest.BodyPublishers
                .ofString("[]")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(filter.statusCode()).isEqualTo(200);
        assertThat(filter.body()).contains("cannot decode ExtenderArgs: expected a JSON object");
        assertThat(webhook.statusCode()).isEqualTo(400);
        assertThat(webhook.body()).contains("request body is not a JSON object");
    }

    @Test
    void aBodyNotCompleteWithinTheDeadlineIsAnswered408() throws Exception {
        Socket verb = extenderTrickle("/bind");
        Socket review = webhookTrickle();

        assertThat(statusLine(verb)).isEqualTo("HTTP/1.1 408 ");
        assertThat(statusLine(review)).isEqualTo("HTTP/1.1 408 ");
    }
}
