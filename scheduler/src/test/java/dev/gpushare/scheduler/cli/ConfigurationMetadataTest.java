package dev.gpushare.scheduler.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Every {@code hami.*} property has IDE completion with a description, and a line in docs/configuration.md. */
class ConfigurationMetadataTest {

    @Test
    void everyHamiPropertyHasADescriptionAndIsDocumented() throws Exception {
        JsonNode metadata;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(PropertyNames.RESOURCE)) {
            metadata = JsonMapper.builder().build().readTree(in);
        }
        String docs = Files.readString(Path.of("..", "docs", "configuration.md"));
        List<String> undescribed = new ArrayList<>();
        List<String> undocumented = new ArrayList<>();
        int hami = 0;
        for (JsonNode property : metadata.path("properties")) {
            String name = property.path("name").asString();
            if (!name.startsWith("hami.")) {
                continue;
            }
            hami++;
            if (property.path("description").asString("").isBlank()) {
                undescribed.add(name);
            }
            if (!docs.contains("`" + name + "`")) {
                undocumented.add(name);
            }
        }
        assertThat(hami).isGreaterThan(30);
        assertThat(undescribed).as("hami.* properties without a description (a @param on the record)").isEmpty();
        assertThat(undocumented).as("hami.* properties missing from docs/configuration.md").isEmpty();
    }

    @Test
    void buildInfoNamesThisBuild() {
        BuildInfo info = BuildInfo.read();
        assertThat(info.name()).isEqualTo("gpushare-scheduler");
        assertThat(info.version()).matches("\\d+\\.\\d+\\.\\d+.*");
        assertThat(info.revision()).as("the commit of this checkout, or unknown without git").matches(
                "[0-9a-f]{12}|unknown");
        assertThat(info.line()).startsWith("gpushare-scheduler version=" + info.version() + " revision="
                + info.revision() + " built=" + info.time() + " java=");
    }
}
