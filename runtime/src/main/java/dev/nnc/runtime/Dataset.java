package dev.nnc.runtime;

import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable set of samples in the flat row-major layout networks consume: {@code size} rows of
 * {@code featureCount} features and {@code targetCount} targets (0 for unlabelled data).
 *
 * <p>The arrays are copied on construction and on access, so a dataset cannot change after it is
 * built; use {@link #copyFeatures(int, double[], int)} and {@link #copyTargets(int, double[], int)}
 * to read rows without allocating. Every value must be finite: a NaN in the data would otherwise
 * surface much later as a NaN loss.
 *
 * @param features {@code size * featureCount} feature values, one row after another
 * @param targets {@code size * targetCount} target values, one row after another
 * @param size the number of rows
 * @param featureCount the number of features per row, at least 1
 * @param targetCount the number of targets per row, at least 0
 */
public record Dataset(double[] features, double[] targets, int size, int featureCount, int targetCount) {

    /**
     * Validates and copies.
     *
     * @throws IllegalArgumentException if a count is out of range, an array length does not match
     *     the counts, or a value is NaN or infinite (naming its row and column)
     */
    public Dataset {
        Objects.requireNonNull(features, "features");
        Objects.requireNonNull(targets, "targets");
        if (size < 0 || featureCount < 1 || targetCount < 0) {
            throw new IllegalArgumentException("expected size >= 0, featureCount >= 1 and targetCount >= 0, found "
                    + size + ", " + featureCount + " and " + targetCount);
        }
        checkLength("features", features, (long) size * featureCount, size, featureCount);
        checkLength("targets", targets, (long) size * targetCount, size, targetCount);
        features = features.clone();
        targets = targets.clone();
        checkFinite("feature", features, featureCount);
        checkFinite("target", targets, targetCount);
    }

    private static void checkLength(String what, double[] array, long expected, int size, int width) {
        if (array.length != expected) {
            throw new IllegalArgumentException(
                    what + " must have " + size + " * " + width + " = " + expected + " values, found " + array.length);
        }
    }

    private static void checkFinite(String what, double[] array, int width) {
        for (int i = 0; i < array.length; i++) {
            if (!Double.isFinite(array[i])) {
                throw new IllegalArgumentException(
                        what + " at row " + i / width + ", column " + i % width + " is " + array[i]);
            }
        }
    }

    /** Returns a copy of all features, row-major. */
    @Override
    public double[] features() {
        return features.clone();
    }

    /** Returns a copy of all targets, row-major. */
    @Override
    public double[] targets() {
        return targets.clone();
    }

    /** Returns a copy of the features of row {@code row}. */
    public double[] featureRow(int row) {
        double[] dst = new double[featureCount];
        copyFeatures(row, dst, 0);
        return dst;
    }

    /** Returns a copy of the targets of row {@code row}. */
    public double[] targetRow(int row) {
        double[] dst = new double[targetCount];
        copyTargets(row, dst, 0);
        return dst;
    }

    /** Copies the features of row {@code row} into {@code dst} starting at {@code offset}. */
    public void copyFeatures(int row, double[] dst, int offset) {
        Objects.checkIndex(row, size);
        System.arraycopy(features, row * featureCount, dst, offset, featureCount);
    }

    /** Copies the targets of row {@code row} into {@code dst} starting at {@code offset}. */
    public void copyTargets(int row, double[] dst, int offset) {
        Objects.checkIndex(row, size);
        System.arraycopy(targets, row * targetCount, dst, offset, targetCount);
    }

    /** Returns the feature in row {@code row}, column {@code column}. */
    public double feature(int row, int column) {
        Objects.checkIndex(row, size);
        Objects.checkIndex(column, featureCount);
        return features[row * featureCount + column];
    }

    /** Returns the target in row {@code row}, column {@code column}. */
    public double target(int row, int column) {
        Objects.checkIndex(row, size);
        Objects.checkIndex(column, targetCount);
        return targets[row * targetCount + column];
    }

    /** Returns a new dataset with the given rows of this one, in the given order. */
    public Dataset rows(int[] rowIndices) {
        double[] x = new double[rowIndices.length * featureCount];
        double[] y = new double[rowIndices.length * targetCount];
        for (int i = 0; i < rowIndices.length; i++) {
            copyFeatures(rowIndices[i], x, i * featureCount);
            copyTargets(rowIndices[i], y, i * targetCount);
        }
        return new Dataset(x, y, rowIndices.length, featureCount, targetCount);
    }

    /** Compares the contents, not the array identities. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Dataset d
                && size == d.size
                && featureCount == d.featureCount
                && targetCount == d.targetCount
                && Arrays.equals(features, d.features)
                && Arrays.equals(targets, d.targets);
    }

    @Override
    public int hashCode() {
        return Objects.hash(size, featureCount, targetCount, Arrays.hashCode(features), Arrays.hashCode(targets));
    }

    /** A summary without the values, e.g. {@code Dataset[size=150, featureCount=4, targetCount=3]}. */
    @Override
    public String toString() {
        return "Dataset[size=" + size + ", featureCount=" + featureCount + ", targetCount=" + targetCount + "]";
    }
}
