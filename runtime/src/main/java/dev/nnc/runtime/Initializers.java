package dev.nnc.runtime;

import java.util.Objects;

/**
 * Deterministic parameter initialisers. Each fills the region {@code a[offset .. offset + length -
 * 1]} and, where it is random, draws exactly {@code length} uniform values, or the Gaussian values
 * for {@code length} entries, from the given {@link SeededRandom}, in index order. The same seed
 * therefore gives the same parameters on every JVM.
 *
 * <p>The fan conventions are those of Keras and PyTorch: for a weight matrix of shape {@code [out,
 * in]} (mapping {@code in} inputs to {@code out} outputs), {@code fanIn = in} and {@code fanOut =
 * out}.
 *
 * <table>
 *   <caption>Distributions</caption>
 *   <tr><th>method</th><th>distribution</th></tr>
 *   <tr><td>{@code glorotUniform}</td><td>U(-l, l), l = sqrt(6 / (fanIn + fanOut))</td></tr>
 *   <tr><td>{@code glorotNormal}</td><td>N(0, s²), s = sqrt(2 / (fanIn + fanOut))</td></tr>
 *   <tr><td>{@code heUniform}</td><td>U(-l, l), l = sqrt(6 / fanIn)</td></tr>
 *   <tr><td>{@code heNormal}</td><td>N(0, s²), s = sqrt(2 / fanIn)</td></tr>
 *   <tr><td>{@code lecunNormal}</td><td>N(0, s²), s = sqrt(1 / fanIn)</td></tr>
 * </table>
 *
 * <p>The normal variants are not truncated. The float overloads compute each value in double and
 * round it once, so a float network starts from its double twin's parameters, rounded.
 */
public final class Initializers {

    private Initializers() {}

    /** Sets every entry of the region to 0. */
    public static void zeros(double[] a, int offset, int length) {
        constant(a, offset, length, 0.0);
    }

    /** Sets every entry of the region to 0. */
    public static void zeros(float[] a, int offset, int length) {
        constant(a, offset, length, 0.0);
    }

    /** Sets every entry of the region to 1. */
    public static void ones(double[] a, int offset, int length) {
        constant(a, offset, length, 1.0);
    }

    /** Sets every entry of the region to 1. */
    public static void ones(float[] a, int offset, int length) {
        constant(a, offset, length, 1.0);
    }

    /** Sets every entry of the region to {@code c}. */
    public static void constant(double[] a, int offset, int length, double c) {
        Objects.checkFromIndexSize(offset, length, a.length);
        for (int i = offset; i < offset + length; i++) {
            a[i] = c;
        }
    }

    /** Sets every entry of the region to {@code c}, rounded to float. */
    public static void constant(float[] a, int offset, int length, double c) {
        Objects.checkFromIndexSize(offset, length, a.length);
        for (int i = offset; i < offset + length; i++) {
            a[i] = (float) c;
        }
    }

    /**
     * Fills the region with values uniform in [lo, hi).
     *
     * @throws IllegalArgumentException unless {@code lo <= hi}, both finite
     */
    public static void uniform(double[] a, int offset, int length, double lo, double hi, SeededRandom random) {
        Objects.checkFromIndexSize(offset, length, a.length);
        checkRange(lo, hi);
        for (int i = offset; i < offset + length; i++) {
            a[i] = uniformValue(lo, hi, random);
        }
    }

    /** Float overload of {@link #uniform(double[], int, int, double, double, SeededRandom)}. */
    public static void uniform(float[] a, int offset, int length, double lo, double hi, SeededRandom random) {
        Objects.checkFromIndexSize(offset, length, a.length);
        checkRange(lo, hi);
        for (int i = offset; i < offset + length; i++) {
            a[i] = (float) uniformValue(lo, hi, random);
        }
    }

    /**
     * Fills the region with values from the normal distribution N(mean, std²).
     *
     * @throws IllegalArgumentException unless {@code std >= 0} and both are finite
     */
    public static void normal(double[] a, int offset, int length, double mean, double std, SeededRandom random) {
        Objects.checkFromIndexSize(offset, length, a.length);
        checkNormal(mean, std);
        for (int i = offset; i < offset + length; i++) {
            a[i] = mean + std * random.nextGaussian();
        }
    }

    /** Float overload of {@link #normal(double[], int, int, double, double, SeededRandom)}. */
    public static void normal(float[] a, int offset, int length, double mean, double std, SeededRandom random) {
        Objects.checkFromIndexSize(offset, length, a.length);
        checkNormal(mean, std);
        for (int i = offset; i < offset + length; i++) {
            a[i] = (float) (mean + std * random.nextGaussian());
        }
    }

    /** Glorot (Xavier) uniform: U(-l, l) with l = sqrt(6 / (fanIn + fanOut)). */
    public static void glorotUniform(double[] a, int offset, int length, int fanIn, int fanOut, SeededRandom random) {
        double limit = Math.sqrt(6.0 / fanSum(fanIn, fanOut));
        uniform(a, offset, length, -limit, limit, random);
    }

    /** Float overload of {@link #glorotUniform(double[], int, int, int, int, SeededRandom)}. */
    public static void glorotUniform(float[] a, int offset, int length, int fanIn, int fanOut, SeededRandom random) {
        double limit = Math.sqrt(6.0 / fanSum(fanIn, fanOut));
        uniform(a, offset, length, -limit, limit, random);
    }

    /** Glorot (Xavier) normal: N(0, s²) with s = sqrt(2 / (fanIn + fanOut)). */
    public static void glorotNormal(double[] a, int offset, int length, int fanIn, int fanOut, SeededRandom random) {
        normal(a, offset, length, 0.0, Math.sqrt(2.0 / fanSum(fanIn, fanOut)), random);
    }

    /** Float overload of {@link #glorotNormal(double[], int, int, int, int, SeededRandom)}. */
    public static void glorotNormal(float[] a, int offset, int length, int fanIn, int fanOut, SeededRandom random) {
        normal(a, offset, length, 0.0, Math.sqrt(2.0 / fanSum(fanIn, fanOut)), random);
    }

    /** He (Kaiming) uniform, for ReLU layers: U(-l, l) with l = sqrt(6 / fanIn). */
    public static void heUniform(double[] a, int offset, int length, int fanIn, SeededRandom random) {
        double limit = Math.sqrt(6.0 / checkFan("fanIn", fanIn));
        uniform(a, offset, length, -limit, limit, random);
    }

    /** Float overload of {@link #heUniform(double[], int, int, int, SeededRandom)}. */
    public static void heUniform(float[] a, int offset, int length, int fanIn, SeededRandom random) {
        double limit = Math.sqrt(6.0 / checkFan("fanIn", fanIn));
        uniform(a, offset, length, -limit, limit, random);
    }

    /** He (Kaiming) normal, for ReLU layers: N(0, s²) with s = sqrt(2 / fanIn). */
    public static void heNormal(double[] a, int offset, int length, int fanIn, SeededRandom random) {
        normal(a, offset, length, 0.0, Math.sqrt(2.0 / checkFan("fanIn", fanIn)), random);
    }

    /** Float overload of {@link #heNormal(double[], int, int, int, SeededRandom)}. */
    public static void heNormal(float[] a, int offset, int length, int fanIn, SeededRandom random) {
        normal(a, offset, length, 0.0, Math.sqrt(2.0 / checkFan("fanIn", fanIn)), random);
    }

    /** LeCun normal, for SELU and tanh layers: N(0, s²) with s = sqrt(1 / fanIn). */
    public static void lecunNormal(double[] a, int offset, int length, int fanIn, SeededRandom random) {
        normal(a, offset, length, 0.0, Math.sqrt(1.0 / checkFan("fanIn", fanIn)), random);
    }

    /** Float overload of {@link #lecunNormal(double[], int, int, int, SeededRandom)}. */
    public static void lecunNormal(float[] a, int offset, int length, int fanIn, SeededRandom random) {
        normal(a, offset, length, 0.0, Math.sqrt(1.0 / checkFan("fanIn", fanIn)), random);
    }

    private static double uniformValue(double lo, double hi, SeededRandom random) {
        double value = lo + (hi - lo) * random.nextDouble();
        // Rounding can land exactly on hi when the interval is tiny; keep the documented [lo, hi).
        return value < hi ? value : lo;
    }

    private static void checkRange(double lo, double hi) {
        if (!(Double.isFinite(lo) && Double.isFinite(hi) && lo <= hi)) {
            throw new IllegalArgumentException("expected finite lo <= hi, found lo " + lo + ", hi " + hi);
        }
    }

    private static void checkNormal(double mean, double std) {
        if (!(Double.isFinite(mean) && Double.isFinite(std) && std >= 0)) {
            throw new IllegalArgumentException(
                    "expected a finite mean and std >= 0, found mean " + mean + ", std " + std);
        }
    }

    private static int checkFan(String what, int fan) {
        if (fan < 1) {
            throw new IllegalArgumentException(what + " must be >= 1, found " + fan);
        }
        return fan;
    }

    private static double fanSum(int fanIn, int fanOut) {
        return (double) checkFan("fanIn", fanIn) + checkFan("fanOut", fanOut);
    }
}
