package dev.gpushare.charts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The chart's default image is the one the Dockerfile builds: same coordinates, the scheduler's exec jar. */
class ImageTest {

    @Test
    void theDefaultImageIsWhatTheDockerfileBuilds() throws IOException {
        String dockerfile = Files.readString(InstallDocTest.REPOSITORY.resolve("Dockerfile"));
        Matcher build = Pattern.compile("(?m)^#\\s+docker build -t (\\S+) \\.$").matcher(dockerfile);
        assertThat(build.find()).as("the Dockerfile names its build command").isTrue();
        String image = build.group(1);

        assertThat(Chart.render(Chart.Options.defaults()).extender().getImage()).isEqualTo(image);
        assertThat(Files.readString(InstallDocTest.INSTALL)).contains("docker build -t " + image + " .");
        String projectVersion = projectVersion();
        assertThat(image).endsWith(":" + projectVersion.replace("-SNAPSHOT", ""));
    }

    @Test
    void theImageRunsTheExecutableJarAsANonRootUser() throws IOException {
        List<String> lines = Files.readAllLines(InstallDocTest.REPOSITORY.resolve("Dockerfile"));
        List<String> finalStage = lines.subList(lastIndexStartingWith(lines, "FROM "), lines.size());

        assertThat(finalStage).anySatisfy(line -> assertThat(line).matches("USER [1-9][0-9]*:[1-9][0-9]*"));
        assertThat(finalStage).contains("ENTRYPOINT [\"java\", \"-jar\", \"/app/gpushare-scheduler.jar\"]");
        assertThat(String.join("\n", lines)).contains("scheduler/target/gpushare-scheduler-*-exec.jar");
        assertThat(Files.readString(InstallDocTest.REPOSITORY.resolve("scheduler/pom.xml")))
                .contains("<classifier>exec</classifier>");
    }

    @Test
    void theBaseImagesAreBuildArgumentsWithTheDefaultsTheGuideNames() throws IOException {
        String dockerfile = Files.readString(InstallDocTest.REPOSITORY.resolve("Dockerfile"));
        String guide = Files.readString(InstallDocTest.INSTALL);
        Matcher arg = Pattern.compile("(?m)^ARG (\\w+)=(\\S+)$").matcher(dockerfile);
        List<String> args = new java.util.ArrayList<>();
        while (arg.find()) {
            args.add(arg.group(1));
            assertThat(guide).contains("`" + arg.group(1) + "` (default `" + arg.group(2) + "`");
        }
        assertThat(args).containsExactly("BUILD_IMAGE", "BASE_IMAGE", "REVISION");
        assertThat(dockerfile).contains("FROM ${BUILD_IMAGE} AS build").contains("\nFROM ${BASE_IMAGE}\n");
        // A syntax directive makes BuildKit fetch a frontend image from Docker Hub even when both bases are local.
        assertThat(dockerfile).doesNotContain("# syntax=");
        assertThat(guide).contains("image/build-offline-base.sh jre ").contains("image/build-offline-base.sh jdk ");
        assertThat(InstallDocTest.REPOSITORY.resolve("image/build-offline-base.sh")).isExecutable();
    }

    private static int lastIndexStartingWith(List<String> lines, String prefix) {
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (lines.get(i).startsWith(prefix)) {
                return i;
            }
        }
        throw new AssertionError("no " + prefix);
    }

    private static String projectVersion() throws IOException {
        Matcher version = Pattern.compile("<artifactId>gpushare-parent</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Files.readString(InstallDocTest.REPOSITORY.resolve("pom.xml")));
        assertThat(version.find()).isTrue();
        return version.group(1);
    }
}
