package dev.gpushare.common.request;

import io.fabric8.kubernetes.api.model.Quantity;

import java.math.BigDecimal;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Kubernetes quantity read exactly ({@code 3k} = 3000, {@code 1.5}, {@code 500m}, {@code 1e3}, {@code 1Gi}, ...),
 * following the API's grammar {@code <signedNumber><suffix>}, suffix one of the binary SI ({@code Ki ... Ei}), the
 * decimal SI ({@code m "" k M G T P E}) or a decimal exponent ({@code e3}, {@code E-2}).
 *
 * <p>Parsed here rather than with fabric8's {@code getNumericalAmount()} so that the value is exact, huge exponents
 * cannot make us compute a giant number, and whether the binary suffix was used is known.
 *
 * @param value        the exact value
 * @param binarySuffix whether the text used {@code Ki}, {@code Mi}, ... (its canonical form keeps that suffix)
 * @param text         the text as given, for messages
 */
public record KubeQuantity(BigDecimal value, boolean binarySuffix, String text) {

    /**
     * Longest quantity text read. {@code BigDecimal} parsing is quadratic in the number of digits (a million digits
     * take most of a minute), and every exact GPU quantity fits in far fewer characters: a longer text is refused
     * before any parsing.
     */
    static final int MAX_TEXT = 40;

    private static final Pattern GRAMMAR = Pattern.compile(
            "([+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+))([eE][+-]?\\d{1,9}|[KMGTPE]i|[mkMGTPE])?");

    /** The text of a fabric8 quantity, which may hold number and suffix apart. */
    static String text(Quantity quantity) {
        return (quantity.getAmount() == null ? "" : quantity.getAmount())
                + (quantity.getFormat() == null ? "" : quantity.getFormat());
    }

    /**
     * The exact value of a fabric8 quantity (what the API server sent), or empty when it is not a quantity we read:
     * malformed, or longer than {@link #MAX_TEXT}. The one quantity reader of the project, instead of fabric8's
     * {@code getAmountInBytes}, which parses any length.
     */
    public static Optional<BigDecimal> valueOf(Quantity quantity) {
        return parse(text(quantity)).map(KubeQuantity::value);
    }

    /** The quantity, or empty when the text is not one (or is longer than {@link #MAX_TEXT}). */
    static Optional<KubeQuantity> parse(String text) {
        if (text.length() > MAX_TEXT) {
            return Optional.empty();
        }
        Matcher m = GRAMMAR.matcher(text);
        if (!m.matches()) {
            return Optional.empty();
        }
        BigDecimal number = new BigDecimal(m.group(1));
        String suffix = m.group(2) == null ? "" : m.group(2);
        if (suffix.length() == 2 && suffix.charAt(1) == 'i') {
            int power = "KMGTPE".indexOf(suffix.charAt(0)) + 1;
            return Optional.of(new KubeQuantity(number.multiply(BigDecimal.valueOf(2).pow(10 * power)), true, text));
        }
        int exponent = switch (suffix) {
            case "" -> 0;
            case "m" -> -3;
            case "k" -> 3;
            case "M" -> 6;
            case "G" -> 9;
            case "T" -> 12;
            case "P" -> 15;
            case "E" -> 18;
            default -> Integer.parseInt(suffix.substring(1));
        };
        try {
            return Optional.of(new KubeQuantity(number.scaleByPowerOfTen(exponent), false, text));
        } catch (ArithmeticException scaleOverflow) {
            return Optional.empty();
        }
    }

    boolean isWhole() {
        return value.signum() == 0 || value.stripTrailingZeros().scale() <= 0;
    }
}
