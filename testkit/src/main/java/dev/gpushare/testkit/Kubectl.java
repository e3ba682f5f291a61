package dev.gpushare.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The real kubectl binary, run against one kubeconfig: the one named by {@code GPUSHARE_KUBECTL}, or the first on
 * {@code PATH} ({@code .ci/run} installs Debian's {@code kubernetes-client} when there is none). Tests skip without
 * one unless {@link #required()} (CI sets {@code GPUSHARE_REQUIRE_KUBECTL}).
 */
public final class Kubectl {

    /** One run: the exit code, and standard output and error apart (a guide's {@code > file} takes only stdout). */
    public record Result(int exitCode, String out, String err) {

        /** What a terminal would have shown. */
        public String shown() {
            return out + err;
        }
    }

    private final String binary;
    private final Path kubeconfig;
    private final Path work;

    private Kubectl(String binary, Path kubeconfig, Path work) {
        this.binary = binary;
        this.kubeconfig = kubeconfig;
        this.work = work;
    }

    /** kubectl for {@code kubeconfig}, with its discovery cache and output files in {@code work}; empty without one. */
    public static Optional<Kubectl> find(Path kubeconfig, Path work) {
        return binary().map(binary -> new Kubectl(binary, kubeconfig, work));
    }

    /** Whether a missing kubectl fails the test instead of skipping it. */
    public static boolean required() {
        return System.getenv("GPUSHARE_REQUIRE_KUBECTL") != null;
    }

    private static Optional<String> binary() {
        String configured = System.getenv("GPUSHARE_KUBECTL");
        if (configured != null && !configured.isBlank()) {
            return Optional.of(configured);
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "kubectl");
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate.toString());
            }
        }
        return Optional.empty();
    }

    private List<String> command(List<String> args) {
        List<String> command = new ArrayList<>(List.of(binary, "--kubeconfig", kubeconfig.toString(),
                "--cache-dir", work.resolve("kubectl-cache").toString()));
        command.addAll(args);
        return command;
    }

    /** Runs {@code kubectl --kubeconfig K --cache-dir C ARGS...} and waits up to 60 s for it. */
    public Result run(List<String> args) {
        List<String> command = command(args);
        try {
            Path out = Files.createTempFile(work, "kubectl", ".out");
            Path err = Files.createTempFile(work, "kubectl", ".err");
            Process process = new ProcessBuilder(command).directory(work.toFile()).redirectOutput(out.toFile())
                    .redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("kubectl " + String.join(" ", args) + " did not finish in 60 s; it said: "
                        + Files.readString(out, StandardCharsets.UTF_8) + Files.readString(err, StandardCharsets.UTF_8));
            }
            return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while kubectl ran", e);
        }
    }

    public Result run(String... args) {
        return run(List.of(args));
    }

    /** A kubectl that keeps running ({@code get -w}, {@code wait}): its output so far, its end. */
    public static final class Running implements AutoCloseable {

        private final Process process;
        private final Path out;

        private Running(Process process, Path out) {
            this.process = process;
            this.out = out;
        }

        /** What it printed so far, standard output and error together. */
        public String output() {
            try {
                return Files.readString(out, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Its exit code once it ended by itself within {@code seconds}; fails the test otherwise. */
        public int exitCode(long seconds) {
            try {
                if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                    throw new AssertionError("kubectl did not finish in " + seconds + " s; it said: " + output());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while kubectl ran", e);
            }
            return process.exitValue();
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    /** Starts {@code kubectl ARGS...} in the background. */
    public Running start(String... args) {
        List<String> command = command(List.of(args));
        try {
            Path out = Files.createTempFile(work, "kubectl", ".out");
            Process process = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            return new Running(process, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
