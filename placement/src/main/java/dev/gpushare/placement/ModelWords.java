package dev.gpushare.placement;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * GPU model names as words, for {@code nvidia.com/use-gputype} / {@code nouse-gputype}: a word is a maximal run of
 * letters and digits, upper-cased, so {@code NVIDIA A100-SXM4-40GB} is {@code NVIDIA A100 SXM4 40GB}. An entry
 * matches a model when its words occur as a consecutive run of the model's words: {@code A100} and
 * {@code a100-sxm4} match that model, {@code A10} does not (HAMi's substring test lets {@code A10} match
 * {@code A100}).
 */
final class ModelWords {

    private static final String[] NONE = new String[0];

    private ModelWords() {
    }

    static String[] of(String text) {
        List<String> words = new ArrayList<>(4);
        int start = -1;
        for (int i = 0; i <= text.length(); i++) {
            boolean wordChar = i < text.length() && Character.isLetterOrDigit(text.charAt(i));
            if (wordChar && start < 0) {
                start = i;
            } else if (!wordChar && start >= 0) {
                words.add(text.substring(start, i).toUpperCase(Locale.ROOT));
                start = -1;
            }
        }
        return words.isEmpty() ? NONE : words.toArray(NONE);
    }

    /** Whether {@code entry} (non-empty) occurs in {@code model} as a consecutive run of words. */
    static boolean containsRun(String[] model, String[] entry) {
        for (int start = 0; start + entry.length <= model.length; start++) {
            if (runAt(model, start, entry)) {
                return true;
            }
        }
        return false;
    }

    private static boolean runAt(String[] model, int start, String[] entry) {
        for (int i = 0; i < entry.length; i++) {
            if (!model[start + i].equals(entry[i])) {
                return false;
            }
        }
        return true;
    }
}
