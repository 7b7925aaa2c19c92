package dev.nnc.compiler.graph;

/**
 * The numerically stable scalar formulas of RELIABILITY.md section 2, shared by the reference
 * evaluation of several ops so that each formula is written once.
 */
final class StableMath {
    private StableMath() {}

    /** Branches on the sign so that neither branch overflows or loses relative accuracy. */
    static double sigmoid(double x) {
        if (x >= 0) {
            return 1 / (1 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1 + e);
    }

    /**
     * The shift for log-sum-exp and softmax: the maximum, or 0 when it is infinite (all {@code
     * -Inf} then gives {@code -Inf}, not NaN, as in JAX).
     */
    static double shift(double[] x) {
        double m = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            m = Math.max(m, v);
        }
        return Double.isInfinite(m) ? 0 : m;
    }

    static double logSumExp(double[] x) {
        double m = shift(x);
        double sum = 0;
        for (double v : x) {
            sum += Math.exp(v - m);
        }
        return m + Math.log(sum);
    }
}
