package dev.nnc.benchmarks.handwritten;

import java.util.Arrays;

/**
 * N1 by hand: 2 -> 2 sigmoid -> 1 sigmoid, half squared error, SGD (lr 0.1), double precision.
 * The sizes are compile-time constants, so C2 unrolls every loop into straight-line code, and
 * the backward pass reuses the forward activations ({@code s' = s (1 - s)}).
 */
public final class N1Handwritten {
    private static final int IN = 2;
    private static final int HIDDEN = 2;
    private static final double LR = 0.1;

    private final double[] w1 = new double[HIDDEN * IN];
    private final double[] b1 = new double[HIDDEN];
    private final double[] w2 = new double[HIDDEN];
    private double b2;
    private final double[] h = new double[HIDDEN];
    private final double[] gw1 = new double[HIDDEN * IN];
    private final double[] gb1 = new double[HIDDEN];
    private final double[] gw2 = new double[HIDDEN];

    /** Sets the parameters from the generated class's flat layout (W1, b1, W2, b2). */
    public void setParameters(double[] src) {
        System.arraycopy(src, 0, w1, 0, HIDDEN * IN);
        System.arraycopy(src, HIDDEN * IN, b1, 0, HIDDEN);
        System.arraycopy(src, HIDDEN * IN + HIDDEN, w2, 0, HIDDEN);
        b2 = src[HIDDEN * IN + 2 * HIDDEN];
    }

    /** One step on {@code n} samples; returns the mean loss before the update. */
    public double trainStep(double[] xs, double[] ys, int n) {
        Arrays.fill(gw1, 0.0);
        Arrays.fill(gb1, 0.0);
        Arrays.fill(gw2, 0.0);
        double gb2 = 0.0;
        double loss = 0.0;
        double scale = 1.0 / n;
        for (int s = 0; s < n; s++) {
            int xo = s * IN;
            double z2 = b2;
            for (int j = 0; j < HIDDEN; j++) {
                double z = b1[j];
                for (int k = 0; k < IN; k++) {
                    z += w1[j * IN + k] * xs[xo + k];
                }
                h[j] = sigmoid(z);
                z2 += w2[j] * h[j];
            }
            double out = sigmoid(z2);
            double error = out - ys[s];
            loss += 0.5 * error * error;
            double d2 = error * out * (1.0 - out) * scale;
            gb2 += d2;
            for (int j = 0; j < HIDDEN; j++) {
                gw2[j] += d2 * h[j];
                double d1 = d2 * w2[j] * h[j] * (1.0 - h[j]);
                gb1[j] += d1;
                for (int k = 0; k < IN; k++) {
                    gw1[j * IN + k] += d1 * xs[xo + k];
                }
            }
        }
        for (int i = 0; i < HIDDEN * IN; i++) {
            w1[i] -= LR * gw1[i];
        }
        for (int j = 0; j < HIDDEN; j++) {
            b1[j] -= LR * gb1[j];
            w2[j] -= LR * gw2[j];
        }
        b2 -= LR * gb2;
        return loss / n;
    }

    private static double sigmoid(double z) {
        return 1.0 / (1.0 + Math.exp(-z));
    }
}
