package dev.nnc.runtime;

import java.util.Arrays;
import java.util.Objects;

/**
 * A fitted feature standardisation {@code x' = (x - mean) / std}, per feature. Fit it on the
 * training set only and apply the same instance to validation, test and production inputs, so
 * that no information leaks from them into training.
 *
 * @param mean the per-feature mean of the training features
 * @param std the per-feature (population) standard deviation; a constant feature gets 1 so that
 *     it maps to 0 instead of NaN
 */
public record Standardizer(double[] mean, double[] std) {

    /**
     * Validates and copies.
     *
     * @throws IllegalArgumentException if the arrays differ in length or are empty, a mean is not
     *     finite, or a std is not finite and positive
     */
    public Standardizer {
        mean = mean.clone();
        std = std.clone();
        if (mean.length != std.length || mean.length == 0) {
            throw new IllegalArgumentException(
                    "expected equal, non-zero numbers of means and stds, found " + mean.length + " and " + std.length);
        }
        for (int j = 0; j < mean.length; j++) {
            if (!Double.isFinite(mean[j]) || !(std[j] > 0) || !Double.isFinite(std[j])) {
                throw new IllegalArgumentException(
                        "feature " + j + ": expected a finite mean and std > 0, found " + mean[j] + " and " + std[j]);
            }
        }
    }

    /** Fits the per-feature mean and standard deviation of {@code training}'s features. */
    public static Standardizer fit(Dataset training) {
        int n = training.size();
        int width = training.featureCount();
        if (n == 0) {
            throw new IllegalArgumentException("cannot fit a standardizer on an empty dataset");
        }
        double[] x = training.features();
        double[] mean = new double[width];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < width; j++) {
                mean[j] += x[i * width + j];
            }
        }
        for (int j = 0; j < width; j++) {
            mean[j] /= n;
        }
        // Two passes (mean first, then squared deviations) avoid the cancellation of E[x²] - E[x]².
        double[] std = new double[width];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < width; j++) {
                double d = x[i * width + j] - mean[j];
                std[j] += d * d;
            }
        }
        for (int j = 0; j < width; j++) {
            double s = Math.sqrt(std[j] / n);
            std[j] = s > 0 ? s : 1.0;
        }
        return new Standardizer(mean, std);
    }

    /** The number of features this standardizer was fitted on. */
    public int featureCount() {
        return mean.length;
    }

    /** Returns a copy of the per-feature means. */
    @Override
    public double[] mean() {
        return mean.clone();
    }

    /** Returns a copy of the per-feature standard deviations. */
    @Override
    public double[] std() {
        return std.clone();
    }

    /** Returns {@code data} with standardised features and unchanged targets. */
    public Dataset apply(Dataset data) {
        checkWidth(data.featureCount());
        double[] x = data.features();
        applyInPlace(x, data.size());
        return new Dataset(x, data.targets(), data.size(), data.featureCount(), data.targetCount());
    }

    /**
     * Standardises {@code n} rows of {@code xs} in place, e.g. inputs before {@link
     * Network#predict(double[], int, double[])}.
     *
     * @throws IllegalArgumentException if {@code xs} is shorter than {@code n} rows
     */
    public void applyInPlace(double[] xs, int n) {
        int width = mean.length;
        if (n < 0 || xs.length < (long) n * width) {
            throw new IllegalArgumentException(
                    "expected at least " + n + " * " + width + " values, found " + xs.length);
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < width; j++) {
                xs[i * width + j] = (xs[i * width + j] - mean[j]) / std[j];
            }
        }
    }

    private void checkWidth(int featureCount) {
        if (featureCount != mean.length) {
            throw new IllegalArgumentException(
                    "standardizer was fitted on " + mean.length + " features, the data has " + featureCount);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Standardizer s && Arrays.equals(mean, s.mean) && Arrays.equals(std, s.std);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(mean), Arrays.hashCode(std));
    }

    @Override
    public String toString() {
        return "Standardizer[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
    }
}
