package dev.gpushare.scheduler.embedded;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The pod specs of {@code examples/}, as a user applies them. */
final class Examples {

    static final Path DIRECTORY = Path.of("..", "examples");

    private Examples() {
    }

    static Path file(String name) {
        return DIRECTORY.resolve(name + ".yaml").toAbsolutePath().normalize();
    }

    static List<String> names() {
        try (Stream<Path> files = Files.list(DIRECTORY)) {
            return files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".yaml"))
                    .map(f -> f.substring(0, f.length() - ".yaml".length())).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Pod load(KubernetesClient client, String name) {
        try (InputStream in = Files.newInputStream(file(name))) {
            return client.pods().load(in).item();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Creates the example in {@code namespace} (the API server's admission included). */
    static Pod create(KubernetesClient client, String namespace, String name) {
        return client.pods().inNamespace(namespace).resource(load(client, name)).create();
    }

    static Map<String, String> annotations(Pod pod) {
        return pod.getMetadata().getAnnotations() == null ? Map.of() : pod.getMetadata().getAnnotations();
    }
}
