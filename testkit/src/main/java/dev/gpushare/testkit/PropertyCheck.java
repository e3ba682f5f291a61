package dev.gpushare.testkit;

import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A minimal property runner for plain JUnit tests (shared by every module): each try draws its sample from its own seed, so a failure names the
 * seed that reproduces it ({@code -Dproperty.seed=<seed> -Dproperty.tries=1}). No shrinking: generators keep
 * samples small enough to read.
 */
public final class PropertyCheck {

    private static final long BASE_SEED = Long.getLong("property.seed", 0x5EED_2024L);
    private static final int TRIES = Integer.getInteger("property.tries", 1_000);

    private PropertyCheck() {
    }

    public static <T> void forAll(Function<Random, T> generator, Consumer<T> property) {
        for (int i = 0; i < TRIES; i++) {
            long seed = i == 0 ? BASE_SEED : mix(BASE_SEED + i * 0x9E3779B97F4A7C15L);
            T sample = generator.apply(new Random(seed));
            try {
                property.accept(sample);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("property failed on try " + i + " (reproduce with -Dproperty.seed=" + seed
                        + " -Dproperty.tries=1)\nsample: " + sample + "\n" + e.getMessage(), e);
            }
        }
    }

    /** SplitMix64's finaliser: nearby base seeds must not give nearby {@link Random} streams. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
