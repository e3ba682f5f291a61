package dev.gpushare.testkit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * Building blocks for {@link PropertyCheck} generators. Uniform draws rarely hit the values where code breaks, so
 * numbers, lengths and characters come out as an edge case (a bound, {@code 0}, {@code ±1}, the empty string, the
 * first or last character of a range) with probability {@value #EDGE_PROBABILITY}, and uniformly otherwise.
 */
public final class Generators {

    /** How often a draw is an edge case instead of a uniform value. */
    public static final double EDGE_PROBABILITY = 0.125;

    private Generators() {
    }

    /** Whether this draw should be an edge case. */
    public static boolean edge(Random r) {
        return r.nextDouble() < EDGE_PROBABILITY;
    }

    public static <T> T pick(Random r, List<T> values) {
        return values.get(r.nextInt(values.size()));
    }

    @SafeVarargs
    public static <T> T pick(Random r, T... values) {
        return values[r.nextInt(values.length)];
    }

    /** An int in {@code [min, max]}; edge cases: the bounds, one inside each bound, and 0, 1, -1 when in range. */
    public static int intBetween(Random r, int min, int max) {
        return (int) longBetween(r, min, max);
    }

    /** Any int, {@link Integer#MIN_VALUE} and {@link Integer#MAX_VALUE} included. */
    public static int anyInt(Random r) {
        return intBetween(r, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    /** A long in {@code [min, max]}, with the edge cases of {@link #intBetween}. */
    public static long longBetween(Random r, long min, long max) {
        if (min > max) {
            throw new IllegalArgumentException("empty range [" + min + ", " + max + "]");
        }
        if (edge(r)) {
            long[] edges = Arrays.stream(new long[] {min, max, min + 1, max - 1, 0, 1, -1})
                    .filter(v -> v >= min && v <= max).toArray();
            return edges[r.nextInt(edges.length)];
        }
        if (max < Long.MAX_VALUE) {
            return r.nextLong(min, max + 1);
        }
        return min == Long.MIN_VALUE ? r.nextLong() : r.nextLong(min - 1, max) + 1;
    }

    /**
     * A code point from inclusive ranges given as pairs ({@code from1, to1, from2, to2, ...}), each code point
     * equally likely; edge cases: the ranges' bounds.
     */
    public static int codePointIn(Random r, int... ranges) {
        if (ranges.length == 0 || ranges.length % 2 != 0) {
            throw new IllegalArgumentException("ranges come in (from, to) pairs");
        }
        if (edge(r)) {
            return ranges[r.nextInt(ranges.length)];
        }
        long total = 0;
        for (int i = 0; i < ranges.length; i += 2) {
            total += ranges[i + 1] - ranges[i] + 1;
        }
        long n = r.nextLong(total);
        for (int i = 0; ; i += 2) {
            int size = ranges[i + 1] - ranges[i] + 1;
            if (n < size) {
                return ranges[i] + (int) n;
            }
            n -= size;
        }
    }

    /** One of the code points of {@code chars}, each equally likely. */
    public static int codePointOf(Random r, String chars) {
        int[] points = chars.codePoints().toArray();
        return points[r.nextInt(points.length)];
    }

    /**
     * A string of {@code minLength} to {@code maxLength} code points (edge-biased length, so the empty string
     * comes up whenever {@code minLength} is 0), each drawn by {@code codePoint}.
     */
    public static String string(Random r, int minLength, int maxLength, ToIntFunction<Random> codePoint) {
        int length = intBetween(r, minLength, maxLength);
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.appendCodePoint(codePoint.applyAsInt(r));
        }
        return out.toString();
    }

    /** A string of code points from {@code chars}. */
    public static String stringOf(Random r, int minLength, int maxLength, String chars) {
        return string(r, minLength, maxLength, rr -> codePointOf(rr, chars));
    }

    /** A list of {@code minSize} to {@code maxSize} elements (edge-biased size). */
    public static <T> List<T> listOf(Random r, int minSize, int maxSize, Function<Random, T> element) {
        int size = intBetween(r, minSize, maxSize);
        List<T> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            out.add(element.apply(r));
        }
        return out;
    }

    /** Up to {@code maxSize} distinct elements of {@code values}, in random order (edge-biased size). */
    public static <T> List<T> subset(Random r, List<T> values, int maxSize) {
        List<T> shuffled = new ArrayList<>(values);
        Collections.shuffle(shuffled, r);
        return List.copyOf(shuffled.subList(0, intBetween(r, 0, Math.min(maxSize, values.size()))));
    }
}
