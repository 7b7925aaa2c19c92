package dev.nnc.benchmarks.handwritten;

/**
 * The GRU regressor of {@link FloatGru} written as plainly as possible in double precision, one
 * sample at a time, straight from PyTorch's equations and their derivatives, with the flat
 * parameter array as its only storage: the reference that the fast float network is checked
 * against, itself checked against finite differences and PyTorch's numbers.
 */
final class ReferenceGru {
    private final int steps;
    private final int features;
    private final int units;
    private final double lr;
    private final double[] p;
    private final double[] m;
    private final double[] v;
    private int step;

    ReferenceGru(int steps, int features, int units, double lr) {
        this.steps = steps;
        this.features = features;
        this.units = units;
        this.lr = lr;
        int count = 3 * units * (features + units + 2) + units + 1;
        p = new double[count];
        m = new double[count];
        v = new double[count];
    }

    int parameterCount() {
        return p.length;
    }

    void setParameters(double[] src) {
        System.arraycopy(src, 0, p, 0, p.length);
    }

    void getParameters(double[] dst) {
        System.arraycopy(p, 0, dst, 0, p.length);
    }

    private int weightIh(int gate, int f) {
        return gate * features + f;
    }

    private int weightHh(int gate, int k) {
        return 3 * units * features + gate * units + k;
    }

    private int biasIh(int gate) {
        return 3 * units * (features + units) + gate;
    }

    private int biasHh(int gate) {
        return 3 * units * (features + units + 1) + gate;
    }

    private int weightOut(int k) {
        return 3 * units * (features + units + 2) + k;
    }

    private int biasOut() {
        return p.length - 1;
    }

    /** The output for one sample {@code x [T, F]} at {@code offset} of {@code xs}. */
    double predict(double[] xs, int offset) {
        double[][] h = new double[steps + 1][units];
        double[][][] cache = new double[steps][4][units];
        run(xs, offset, h, cache);
        return output(h[steps]);
    }

    private double output(double[] last) {
        double y = p[biasOut()];
        for (int k = 0; k < units; k++) {
            y += p[weightOut(k)] * last[k];
        }
        return y;
    }

    /** The forward pass: {@code h[t + 1]} after step t; {@code cache[t]} holds r, z, n and {@code W_hn h + b_hn}. */
    private void run(double[] xs, int offset, double[][] h, double[][][] cache) {
        int u = units;
        for (int t = 0; t < steps; t++) {
            for (int j = 0; j < u; j++) {
                double ar = p[biasIh(j)] + p[biasHh(j)];
                double az = p[biasIh(u + j)] + p[biasHh(u + j)];
                double an = p[biasIh(2 * u + j)];
                double hn = p[biasHh(2 * u + j)];
                for (int f = 0; f < features; f++) {
                    double x = xs[offset + t * features + f];
                    ar += p[weightIh(j, f)] * x;
                    az += p[weightIh(u + j, f)] * x;
                    an += p[weightIh(2 * u + j, f)] * x;
                }
                for (int k = 0; k < u; k++) {
                    ar += p[weightHh(j, k)] * h[t][k];
                    az += p[weightHh(u + j, k)] * h[t][k];
                    hn += p[weightHh(2 * u + j, k)] * h[t][k];
                }
                double r = 1 / (1 + Math.exp(-ar));
                double z = 1 / (1 + Math.exp(-az));
                double n = Math.tanh(an + r * hn);
                h[t + 1][j] = (1 - z) * n + z * h[t][j];
                cache[t][0][j] = r;
                cache[t][1][j] = z;
                cache[t][2][j] = n;
                cache[t][3][j] = hn;
            }
        }
    }

    /** The mean squared error of {@code n} samples; its gradient goes to {@code grad} (flat layout). */
    double gradient(double[] xs, double[] ys, int n, double[] grad) {
        java.util.Arrays.fill(grad, 0);
        int u = units;
        double loss = 0;
        for (int s = 0; s < n; s++) {
            int offset = s * steps * features;
            double[][] h = new double[steps + 1][units];
            double[][][] cache = new double[steps][4][units];
            run(xs, offset, h, cache);
            double error = output(h[steps]) - ys[s];
            loss += error * error / n;
            double dy = 2 * error / n;
            grad[biasOut()] += dy;
            double[] dh = new double[u];
            for (int k = 0; k < u; k++) {
                grad[weightOut(k)] += dy * h[steps][k];
                dh[k] = dy * p[weightOut(k)];
            }
            for (int t = steps - 1; t >= 0; t--) {
                double[] dPrevious = new double[u];
                for (int j = 0; j < u; j++) {
                    double r = cache[t][0][j];
                    double z = cache[t][1][j];
                    double nn = cache[t][2][j];
                    double hn = cache[t][3][j];
                    // h' = (1 - z) n + z h
                    dPrevious[j] += dh[j] * z;
                    double dz = dh[j] * (h[t][j] - nn);
                    double dn = dh[j] * (1 - z);
                    // n = tanh(an + r hn)
                    double dan = dn * (1 - nn * nn);
                    double dr = dan * hn;
                    double dhn = dan * r;
                    double dar = dr * r * (1 - r);
                    double daz = dz * z * (1 - z);
                    grad[biasIh(j)] += dar;
                    grad[biasHh(j)] += dar;
                    grad[biasIh(u + j)] += daz;
                    grad[biasHh(u + j)] += daz;
                    grad[biasIh(2 * u + j)] += dan;
                    grad[biasHh(2 * u + j)] += dhn;
                    for (int f = 0; f < features; f++) {
                        double x = xs[offset + t * features + f];
                        grad[weightIh(j, f)] += dar * x;
                        grad[weightIh(u + j, f)] += daz * x;
                        grad[weightIh(2 * u + j, f)] += dan * x;
                    }
                    for (int k = 0; k < u; k++) {
                        grad[weightHh(j, k)] += dar * h[t][k];
                        grad[weightHh(u + j, k)] += daz * h[t][k];
                        grad[weightHh(2 * u + j, k)] += dhn * h[t][k];
                        dPrevious[k] +=
                                dar * p[weightHh(j, k)] + daz * p[weightHh(u + j, k)] + dhn * p[weightHh(2 * u + j, k)];
                    }
                }
                dh = dPrevious;
            }
        }
        return loss;
    }

    /** Gradient and PyTorch's Adam (betas 0.9, 0.999, eps 1e-8 after the bias correction); returns the loss. */
    double trainStep(double[] xs, double[] ys, int n) {
        double[] g = new double[p.length];
        double loss = gradient(xs, ys, n, g);
        step++;
        double stepSize = lr / (1 - Math.pow(0.9, step));
        double correction2Sqrt = Math.sqrt(1 - Math.pow(0.999, step));
        for (int i = 0; i < p.length; i++) {
            m[i] = 0.9 * m[i] + 0.1 * g[i];
            v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
            p[i] -= stepSize * m[i] / (Math.sqrt(v[i]) / correction2Sqrt + 1e-8);
        }
        return loss;
    }
}
