package dev.gpushare.scheduler.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code hami.*} property names of the configuration metadata that the build generates
 * ({@code META-INF/spring-configuration-metadata.json}), in {@link HamiFlags#canonical} form.
 */
public final class PropertyNames {

    static final String RESOURCE = "META-INF/spring-configuration-metadata.json";

    private PropertyNames() {
    }

    public static Set<String> hami() {
        Set<String> names = new HashSet<>();
        JsonMapper json = JsonMapper.builder().build();
        try {
            Enumeration<URL> files = PropertyNames.class.getClassLoader().getResources(RESOURCE);
            while (files.hasMoreElements()) {
                try (InputStream in = files.nextElement().openStream()) {
                    for (JsonNode property : json.readTree(in).path("properties")) {
                        String name = property.path("name").asString("");
                        if (name.startsWith("hami.")) {
                            names.add(HamiFlags.canonical(name));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
        if (names.isEmpty()) {
            throw new IllegalStateException("no hami.* properties in " + RESOURCE + ": the build's configuration"
                    + " processor did not run");
        }
        return names;
    }
}
