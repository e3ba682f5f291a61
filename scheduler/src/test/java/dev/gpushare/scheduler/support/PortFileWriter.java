package dev.gpushare.scheduler.support;

import dev.gpushare.scheduler.listener.ExtenderListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;

/**
 * Writes the extender's and the management server's bound ports (a properties file) to the file named by the system property {@value #PROPERTY} once the service is
 * ready, for a test that runs the service as a separate process on ephemeral ports
 * ({@code --spring.main.sources=dev.gpushare.scheduler.support.PortFileWriter} makes it a bean of the service). The file appears whole.
 */
public final class PortFileWriter implements ApplicationListener<ApplicationReadyEvent> {

    public static final String PROPERTY = "gpushare.test.port-file";

    @Override
    public void onApplicationEvent(ApplicationReadyEvent event) {
        Path target = Path.of(System.getProperty(PROPERTY));
        int extender = event.getApplicationContext().getBean(ExtenderListener.class).port();
        String management = event.getApplicationContext().getEnvironment().getProperty("local.management.port");
        try {
            Path partial = Files.writeString(target.resolveSibling(target.getFileName() + ".partial"),
                    "extender=" + extender + "\nmanagement=" + management + "\n");
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
