package dev.gpushare.scheduler.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The kubeconfig that points kubectl at the embedded API: one cluster, one context (namespace {@code default}),
 * no credentials (the embedded API asks for none). Written when the API is up, removed when it stops, so a stale
 * file never points at a dead port.
 */
public final class KubeconfigFile implements AutoCloseable {

    static final String NAME = "gpushare-embedded";

    private final Path path;

    private KubeconfigFile(Path path) {
        this.path = path;
    }

    /** Writes the kubeconfig for {@code server} (e.g. {@code http://127.0.0.1:6443}) to {@code path}. */
    public static KubeconfigFile write(Path path, String server) {
        Path absolute = path.toAbsolutePath();
        try {
            if (absolute.getParent() != null) {
                Files.createDirectories(absolute.getParent());
            }
            Path temporary = Files.createTempFile(absolute.getParent(), ".kubeconfig", ".tmp");
            Files.writeString(temporary, content(server), StandardCharsets.UTF_8);
            Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the kubeconfig " + absolute
                    + " (hami.embedded.api.kubeconfig): " + e.getMessage(), e);
        }
        return new KubeconfigFile(absolute);
    }

    static String content(String server) {
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - name: %1$s
                  cluster:
                    server: %2$s
                contexts:
                - name: %1$s
                  context:
                    cluster: %1$s
                    user: %1$s
                    namespace: default
                current-context: %1$s
                users:
                - name: %1$s
                  user: {}
                """.formatted(NAME, server);
    }

    public Path path() {
        return path;
    }

    @Override
    public void close() {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // Nothing else depends on it; the next start overwrites it.
        }
    }
}
