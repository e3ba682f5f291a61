package dev.gpushare.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The commands of a Markdown guide, as the guide tests read them: every non-empty line of a fenced block opened
 * with {@code ```sh} (other fences, e.g. {@code ```yaml} or plain {@code ```}, are not commands), lines starting with
 * {@code #} left out, in the order of the guide. A line is split into words as a shell splits the guides' simple
 * lines (no variables, no escapes outside quotes).
 */
public final class GuideBlocks {

    private static final Pattern FENCE = Pattern.compile("(?m)^```(\\w*)\\n(.*?)^```", Pattern.DOTALL);

    /** One command line of a guide. */
    public record Line(String guide, String text) {

        public List<String> words() {
            return GuideBlocks.words(text);
        }

        @Override
        public String toString() {
            return guide + ": " + text;
        }
    }

    /** The guides of {@code docs/operations/}, in reading order (the order their lines run in). */
    public static final List<String> OPERATIONS = List.of("README.md", "upgrade.md", "migration.md", "rollback.md",
            "driver-upgrades.md", "backup-and-recovery.md", "offline-install.md", "troubleshooting.md");

    private GuideBlocks() {
    }

    /** The {@code language} lines of every guide of {@code docs/operations/} under {@code repository}. */
    public static List<Line> operations(Path repository, String language) {
        return lines(repository.resolve("docs/operations"), OPERATIONS, language);
    }

    /** The lines of the {@code language} blocks of each guide, guide after guide. */
    public static List<Line> lines(Path directory, List<String> guides, String language) {
        List<Line> lines = new ArrayList<>();
        for (String guide : guides) {
            String text;
            try {
                text = Files.readString(directory.resolve(guide), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Matcher block = FENCE.matcher(text);
            while (block.find()) {
                if (block.group(1).equals(language)) {
                    block.group(2).lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#"))
                            .forEach(l -> lines.add(new Line(guide, l)));
                }
            }
        }
        return lines;
    }

    /** The words of {@code line} as a shell splits them: blanks separate, quotes group and are removed. */
    public static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (char c : line.toCharArray()) {
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("unbalanced quote in: " + line);
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }
}
