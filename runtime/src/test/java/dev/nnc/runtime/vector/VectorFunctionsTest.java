package dev.nnc.runtime.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The vector logistic function and tangent against the exact values (computed in double, where
 * both are accurate to far below a float ulp), in ulps of the float result: over every range a
 * gate's pre-activation reaches and beyond, tiny arguments (where {@code tanh x = x} and a careless
 * {@code 1 - e} would cancel), the special values, and runs that start at an offset and end in a
 * scalar tail. The build runs these tests at the machine's vector length and again at 256 and 128
 * bits ({@code -XX:MaxVectorSize}, see the runtime's POM).
 */
class VectorFunctionsTest {
    private static final int LANES = VectorProducts.lanes();
    private final Random random = new Random(16);

    @Test
    void sigmoidIsWithinThreeUlpsEverywhere() {
        float[] xs = arguments();
        float[] ys = xs.clone();
        VectorFunctions.sigmoid(ys, 0, ys.length);
        double worst = 0;
        for (int i = 0; i < xs.length; i++) {
            double exact = 1.0 / (1.0 + Math.exp(-(double) xs[i]));
            worst = Math.max(worst, ulps(ys[i], exact, xs[i]));
        }
        assertTrue(worst <= 3, "largest sigmoid error " + worst + " ulp");
    }

    @Test
    void tanhIsWithinOneUlpEverywhere() {
        float[] xs = arguments();
        float[] ys = xs.clone();
        VectorFunctions.tanh(ys, 0, ys.length);
        double worst = 0;
        for (int i = 0; i < xs.length; i++) {
            worst = Math.max(worst, ulps(ys[i], Math.tanh(xs[i]), xs[i]));
        }
        assertTrue(worst <= 1, "largest tanh error " + worst + " ulp");
    }

    @Test
    void specialValuesGoWhereTheFunctionsGo() {
        float[] special = {0.0f, -0.0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 200f, -200f};
        float[] sigmoid = {0.5f, 0.5f, 1.0f, 0.0f, Float.NaN, 1.0f, 0.0f};
        float[] tanh = {0.0f, -0.0f, 1.0f, -1.0f, Float.NaN, 1.0f, -1.0f};
        // Each value in every lane position and in the scalar tail.
        for (int at = 0; at < LANES + 1; at++) {
            for (int v = 0; v < special.length; v++) {
                float[] row = new float[LANES + 1];
                row[at] = special[v];
                float[] s = row.clone();
                VectorFunctions.sigmoid(s, 0, s.length);
                float[] t = row.clone();
                VectorFunctions.tanh(t, 0, t.length);
                assertEquals(sigmoid[v], s[at], 0.0f, "sigmoid(" + special[v] + ") at " + at);
                assertEquals(tanh[v], t[at], 0.0f, "tanh(" + special[v] + ") at " + at);
                if (special[v] == 0.0f) {
                    assertEquals(Float.floatToIntBits(special[v]), Float.floatToIntBits(t[at]), "sign of tanh(0)");
                }
            }
        }
    }

    @Test
    void onlyTheRunChangesWhateverItsOffsetAndLength() {
        for (int from = 0; from < 3; from++) {
            for (int count = 0; count <= 3 * LANES + 1; count++) {
                float[] row = new float[from + count + 2];
                for (int i = 0; i < row.length; i++) {
                    row[i] = (float) (random.nextGaussian() * 4);
                }
                float[] s = row.clone();
                VectorFunctions.sigmoid(s, from, count);
                float[] t = row.clone();
                VectorFunctions.tanh(t, from, count);
                for (int i = 0; i < row.length; i++) {
                    boolean inRun = i >= from && i < from + count;
                    double exactS = inRun ? 1.0 / (1.0 + Math.exp(-(double) row[i])) : row[i];
                    double exactT = inRun ? Math.tanh(row[i]) : row[i];
                    String where = "from=%d count=%d at %d".formatted(from, count, i);
                    assertTrue(ulps(s[i], exactS, row[i]) <= 3, "sigmoid " + where);
                    assertTrue(ulps(t[i], exactT, row[i]) <= 1, "tanh " + where);
                }
            }
        }
    }

    /**
     * Arguments over the whole range: uniform in [-100, 100] (beyond which both functions are
     * flat in float), uniform in [-4, 4] where a gate's value is mostly made, and magnitudes
     * from 1e-30 to 1e2 on a logarithmic scale, of both signs.
     */
    private float[] arguments() {
        float[] xs = new float[3 * 200_000];
        for (int i = 0; i < 200_000; i++) {
            xs[3 * i] = (float) (random.nextDouble() * 200 - 100);
            xs[3 * i + 1] = (float) (random.nextDouble() * 8 - 4);
            double magnitude = Math.pow(10, random.nextDouble() * 32 - 30);
            xs[3 * i + 2] = (float) (random.nextBoolean() ? magnitude : -magnitude);
        }
        return xs;
    }

    /**
     * How far {@code actual} is from {@code exact}, in ulps of the float nearest {@code exact}
     * (at least the smallest normal float's, so that a result below the normal range, where the
     * logistic function of a very negative argument goes, is judged by its absolute error).
     */
    private static double ulps(float actual, double exact, float x) {
        double ulp = Math.max(Math.ulp((float) exact), Math.ulp(Float.MIN_NORMAL));
        double error = Math.abs(actual - exact) / ulp;
        if (Double.isNaN(error)) {
            throw new AssertionError("not a number at x = " + x + ": " + actual + " for " + exact);
        }
        return error;
    }

    @Test
    void timesStepIsTheProductOfTheAdjointAndReluDerivativeBitForBit() {
        float[] specials = {
            0.0f,
            -0.0f,
            1.0f,
            -1.0f,
            Float.MIN_VALUE,
            -Float.MIN_VALUE,
            Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY,
            Float.NaN,
            3.0e38f,
            -2.5f
        };
        Random random = new Random(20);
        for (int count : new int[] {0, 1, 7, 16, 33, 4704}) {
            float[] d = new float[count + 3];
            float[] x = new float[count + 5];
            for (int i = 0; i < d.length; i++) {
                d[i] = i % 3 == 0 ? specials[random.nextInt(specials.length)] : (float) random.nextGaussian();
            }
            for (int i = 0; i < x.length; i++) {
                x[i] = i % 4 == 0 ? specials[random.nextInt(specials.length)] : (float) random.nextGaussian();
            }
            float[] y = new float[count + 2];
            VectorFunctions.timesStep(d, 3, x, 5, y, 2, count);
            for (int i = 0; i < count; i++) {
                // The generated plain loops' step: 1 for x > 0, else 0, from the float's bits.
                int bits = Float.floatToRawIntBits(x[5 + i]);
                float step = (-bits & ~bits & (bits - 0x7f800001)) >>> 31;
                assertEquals(
                        Float.floatToRawIntBits(d[3 + i] * step),
                        Float.floatToRawIntBits(y[2 + i]),
                        "count " + count + " at " + i + ": d " + d[3 + i] + ", x " + x[5 + i]);
            }
        }
    }

    @Test
    void timesStepOverDoublesIsTheProductOfTheAdjointAndReluDerivativeBitForBit() {
        double[] specials = {
            0.0,
            -0.0,
            1.0,
            -1.0,
            Double.MIN_VALUE,
            -Double.MIN_VALUE,
            Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY,
            Double.NaN,
            1.0e308,
            -2.5
        };
        Random random = new Random(21);
        for (int count : new int[] {0, 1, 7, 8, 33, 1024}) {
            double[] d = new double[count + 3];
            double[] x = new double[count + 5];
            for (int i = 0; i < d.length; i++) {
                d[i] = i % 3 == 0 ? specials[random.nextInt(specials.length)] : random.nextGaussian();
            }
            for (int i = 0; i < x.length; i++) {
                x[i] = i % 4 == 0 ? specials[random.nextInt(specials.length)] : random.nextGaussian();
            }
            double[] y = new double[count + 2];
            VectorFunctions.timesStep(d, 3, x, 5, y, 2, count);
            for (int i = 0; i < count; i++) {
                // The generated plain loops' step: 1 for x > 0, else 0, from the double's bits.
                long bits = Double.doubleToRawLongBits(x[5 + i]);
                double step = (-bits & ~bits & (bits - 0x7ff0000000000001L)) >>> 63;
                assertEquals(
                        Double.doubleToRawLongBits(d[3 + i] * step),
                        Double.doubleToRawLongBits(y[2 + i]),
                        "count " + count + " at " + i + ": d " + d[3 + i] + ", x " + x[5 + i]);
            }
        }
    }
}
