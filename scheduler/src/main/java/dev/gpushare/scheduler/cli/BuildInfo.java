package dev.gpushare.scheduler.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The build's {@code META-INF/build-info.properties} (spring-boot-maven-plugin {@code build-info}), the same file
 * Spring's {@code BuildProperties} bean is made from; read here before any Spring context exists. {@code revision}
 * is the git commit the build was made from ({@code build.revision}), {@code unknown} for sources without git.
 */
public record BuildInfo(String name, String version, String revision, String time) {

    static final String RESOURCE = "META-INF/build-info.properties";

    public static BuildInfo read() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
        return new BuildInfo(p.getProperty("build.artifact", "gpushare-scheduler"),
                p.getProperty("build.version", "unknown"), p.getProperty("build.revision", "unknown"),
                p.getProperty("build.time", "unknown"));
    }

    /** What {@code --version} prints and the start-up log shows. */
    public String line() {
        return name + " version=" + version + " revision=" + revision + " built=" + time + " java="
                + System.getProperty("java.version");
    }
}
