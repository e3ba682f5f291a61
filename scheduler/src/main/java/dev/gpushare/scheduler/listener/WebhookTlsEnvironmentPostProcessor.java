package dev.gpushare.scheduler.listener;

import dev.gpushare.certgen.CertificateFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.apache.commons.logging.Log;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.util.FileSystemUtils;

/**
 * Makes the TLS webhook port start without configuration: when neither {@code hami.webhook.tls.cert-file} nor
 * {@code key-file} is set, certgen's {@link CertificateFiles} writes a throwaway CA and a server certificate for
 * {@code localhost} and {@code 127.0.0.1} into a temporary directory (deleted at exit) and both properties point to
 * it; its {@code ca.crt} lets a local client trust the port. One of the two set without the other is a
 * configuration error.
 */
public class WebhookTlsEnvironmentPostProcessor implements EnvironmentPostProcessor {

    static final String CERT_FILE = "hami.webhook.tls.cert-file";
    static final String KEY_FILE = "hami.webhook.tls.key-file";

    private final Log log;

    public WebhookTlsEnvironmentPostProcessor(DeferredLogFactory logFactory) {
        this.log = logFactory.getLog(WebhookTlsEnvironmentPostProcessor.class);
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        String cert = environment.getProperty(CERT_FILE, "");
        String key = environment.getProperty(KEY_FILE, "");
        if (!cert.isBlank() && !key.isBlank()) {
            return;
        }
        if (!cert.isBlank() || !key.isBlank()) {
            throw new IllegalStateException("set both " + CERT_FILE + " and " + KEY_FILE + ", or neither (then a "
                    + "self-signed certificate is generated); got only " + (cert.isBlank() ? KEY_FILE : CERT_FILE));
        }
        Path dir;
        try {
            dir = Files.createTempDirectory("gpushare-webhook-tls-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for the self-signed webhook certificate", e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> FileSystemUtils.deleteRecursively(dir.toFile()),
                "webhook-tls-cleanup"));
        try {
            CertificateFiles.writeNew(dir, List.of("localhost", "127.0.0.1"), Clock.systemUTC());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a self-signed webhook certificate into " + dir, e);
        }
        environment.getPropertySources().addFirst(new MapPropertySource("gpushareSelfSignedWebhookTls",
                Map.of(CERT_FILE, dir.resolve(CertificateFiles.CERT_FILE).toString(),
                        KEY_FILE, dir.resolve(CertificateFiles.KEY_FILE).toString())));
        log.warn("no webhook certificate configured (" + CERT_FILE + ", " + KEY_FILE + "): serving a self-signed"
                + " one from " + dir + "; the API server will not trust it");
    }
}
