package dev.gpushare.scheduler.listener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.logging.DeferredLogs;
import org.springframework.mock.env.MockEnvironment;

/** The TLS webhook port always has a certificate: the configured files, or a generated throwaway one. */
class WebhookTlsEnvironmentPostProcessorTest {

    private final WebhookTlsEnvironmentPostProcessor processor =
            new WebhookTlsEnvironmentPostProcessor(new DeferredLogs());

    @Test
    void withoutFilesASelfSignedCertificateIsGenerated() throws Exception {
        MockEnvironment environment = new MockEnvironment();

        processor.postProcessEnvironment(environment, new SpringApplication());

        Path cert = Path.of(environment.getProperty(WebhookTlsEnvironmentPostProcessor.CERT_FILE));
        Path key = Path.of(environment.getProperty(WebhookTlsEnvironmentPostProcessor.KEY_FILE));
        assertThat(Files.readString(cert)).startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(Files.readString(key)).contains("PRIVATE KEY-----");
        assertThat(Files.getPosixFilePermissions(key)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void configuredFilesAreKept() {
        MockEnvironment environment = new MockEnvironment()
                .withProperty(WebhookTlsEnvironmentPostProcessor.CERT_FILE, "/tls/tls.crt")
                .withProperty(WebhookTlsEnvironmentPostProcessor.KEY_FILE, "/tls/tls.key");

        processor.postProcessEnvironment(environment, new SpringApplication());

        assertThat(environment.getProperty(WebhookTlsEnvironmentPostProcessor.CERT_FILE)).isEqualTo("/tls/tls.crt");
        assertThat(environment.getProperty(WebhookTlsEnvironmentPostProcessor.KEY_FILE)).isEqualTo("/tls/tls.key");
    }

    @Test
    void onlyOneOfTheTwoIsAConfigurationError() {
        MockEnvironment environment = new MockEnvironment()
                .withProperty(WebhookTlsEnvironmentPostProcessor.CERT_FILE, "/tls/tls.crt");

        assertThatThrownBy(() -> processor.postProcessEnvironment(environment, new SpringApplication()))
                .hasMessage("set both hami.webhook.tls.cert-file and hami.webhook.tls.key-file, or neither (then a"
                        + " self-signed certificate is generated); got only hami.webhook.tls.cert-file");
    }
}
