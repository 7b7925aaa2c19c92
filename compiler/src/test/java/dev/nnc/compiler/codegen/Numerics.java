package dev.nnc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;

/** Test support: seeded random data and elementwise comparisons with stated tolerances. */
final class Numerics {
    private Numerics() {}

    /** {@code size} values drawn from N(0, 1) with a seeded generator. */
    static double[] gaussian(long seed, int size) {
        Random random = new Random(seed);
        double[] values = new double[size];
        for (int i = 0; i < size; i++) {
            values[i] = random.nextGaussian();
        }
        return values;
    }

    /** {@code size} values drawn from U(0, 1): valid targets for every loss of the examples. */
    static double[] uniform(long seed, int size) {
        Random random = new Random(seed);
        double[] values = new double[size];
        for (int i = 0; i < size; i++) {
            values[i] = random.nextDouble();
        }
        return values;
    }

    /** The values rounded to float, so that a float network and its double twin see the same inputs. */
    static double[] floatExact(double[] values) {
        double[] exact = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            exact[i] = (float) values[i];
        }
        return exact;
    }

    /** {@code n} one-hot rows of {@code width}, the hot class of each drawn uniformly with a seed. */
    static double[] oneHot(int n, int width, long seed) {
        Random random = new Random(seed);
        double[] rows = new double[n * width];
        for (int s = 0; s < n; s++) {
            rows[s * width + random.nextInt(width)] = 1.0;
        }
        return rows;
    }

    /** Passes iff {@code |actual - expected| <= atol + rtol |expected|}; NaN never passes. */
    static boolean close(double expected, double actual, double rtol, double atol) {
        return Math.abs(actual - expected) <= atol + rtol * Math.abs(expected);
    }

    static void assertClose(double expected, double actual, double rtol, double atol, String what) {
        if (!close(expected, actual, rtol, atol)) {
            fail(String.format(
                    "%s: expected %.17g, actual %.17g (difference %.3e, allowed %.3e = %.0e + %.0e |expected|)",
                    what, expected, actual, Math.abs(actual - expected), atol + rtol * Math.abs(expected), atol, rtol));
        }
    }

    static void assertAllClose(double[] expected, double[] actual, double rtol, double atol, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            assertClose(expected[i], actual[i], rtol, atol, what + "[" + i + "]");
        }
    }

    static void assertAllFinite(double[] values, String what) {
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                fail(what + "[" + i + "] is " + values[i]);
            }
        }
    }

    static void assertFinite(double value, String what) {
        if (!Double.isFinite(value)) {
            fail(what + " is " + value);
        }
    }
}
