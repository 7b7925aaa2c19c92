package dev.nnc.benchmarks.handwritten;

import java.util.Arrays;

/**
 * N2 by hand: XOR, 2 -> 4 tanh -> 1 sigmoid, binary cross-entropy computed from the logit (the
 * stable form, gradient {@code sigmoid(z) - y}), SGD (lr 0.5), double precision. The step returns
 * the mean loss, as the generated {@code trainStep} does, and computes {@code exp(-|z|)} once per
 * sample for both the loss and the gradient, as a careful engineer would.
 */
public final class N2Handwritten {
    private static final int IN = 2;
    private static final int HIDDEN = 4;
    private static final double LR = 0.5;

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
                h[j] = Math.tanh(z);
                z2 += w2[j] * h[j];
            }
            double y = ys[s];
            double e = Math.exp(-Math.abs(z2));
            loss += Math.max(z2, 0.0) - z2 * y + Math.log1p(e);
            // sigmoid(z2) from the same exponential: 1 / (1 + e) above 0, e / (1 + e) below.
            double d2 = ((z2 >= 0.0 ? 1.0 : e) / (1.0 + e) - y) * scale;
            gb2 += d2;
            for (int j = 0; j < HIDDEN; j++) {
                gw2[j] += d2 * h[j];
                double d1 = d2 * w2[j] * (1.0 - h[j] * h[j]);
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
}
