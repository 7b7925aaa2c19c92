package dev.nnc.samples.functions;

import java.util.Arrays;

/**
 * One function at one point: the value and gradient that nnc generated next to the ones computed
 * from the analytic formulas.
 *
 * @param function the declaration in {@code functions.nn}
 * @param point the arguments
 * @param value the generated {@code value(...)}
 * @param gradient the gradient that the generated {@code gradient(...)} filled in
 * @param exactValue the value from the analytic formula
 * @param exactGradient the gradient from the analytic formulas
 */
record Comparison(
        String function, double[] point, double value, double[] gradient, double exactValue, double[] exactGradient) {

    Comparison {
        point = point.clone();
        gradient = gradient.clone();
        exactGradient = exactGradient.clone();
    }

    /** The largest relative difference over the value and every gradient component. */
    double maxRelativeError() {
        double max = relativeError(value, exactValue);
        for (int i = 0; i < gradient.length; i++) {
            max = Math.max(max, relativeError(gradient[i], exactGradient[i]));
        }
        return max;
    }

    /** {@code |a - b| / max(|a|, |b|)}, 0 when both are 0. */
    static double relativeError(double a, double b) {
        double scale = Math.max(Math.abs(a), Math.abs(b));
        return scale == 0 ? 0 : Math.abs(a - b) / scale;
    }

    @Override
    public double[] point() {
        return point.clone();
    }

    @Override
    public double[] gradient() {
        return gradient.clone();
    }

    @Override
    public double[] exactGradient() {
        return exactGradient.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Comparison c
                && function.equals(c.function)
                && Arrays.equals(point, c.point)
                && Double.compare(value, c.value) == 0
                && Arrays.equals(gradient, c.gradient)
                && Double.compare(exactValue, c.exactValue) == 0
                && Arrays.equals(exactGradient, c.exactGradient);
    }

    @Override
    public int hashCode() {
        return function.hashCode() * 31 + Arrays.hashCode(point);
    }

    @Override
    public String toString() {
        return function + Arrays.toString(point) + ": value " + value + " vs " + exactValue + ", gradient "
                + Arrays.toString(gradient) + " vs " + Arrays.toString(exactGradient);
    }
}
