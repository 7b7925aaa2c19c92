package dev.nnc.runtime;

import java.util.Objects;

/**
 * Evaluation metrics over flat row-major arrays of {@code n} rows, such as the outputs of {@link
 * Network#predict(double[], int, double[])} and the targets of a {@link Dataset}.
 *
 * <p>Classification metrics take the predicted class of a row to be the argmax of its outputs
 * (scores, probabilities or logits alike) and the true class to be the argmax of its one-hot
 * target row.
 */
public final class Metrics {

    private Metrics() {}

    /**
     * Returns the index of the largest of {@code row[offset .. offset + length - 1]}, relative to
     * {@code offset}. Ties go to the first index; NaN entries never win, so an all-NaN row gives 0.
     *
     * @throws IllegalArgumentException if {@code length < 1}
     * @throws IndexOutOfBoundsException if the region is outside the array
     */
    public static int argmax(double[] row, int offset, int length) {
        if (length < 1) {
            throw new IllegalArgumentException("argmax needs at least 1 value, found length " + length);
        }
        Objects.checkFromIndexSize(offset, length, row.length);
        int best = 0;
        double bestValue = row[offset];
        for (int i = 1; i < length; i++) {
            double v = row[offset + i];
            // Every comparison with NaN is false, so a leading NaN must be replaced explicitly.
            if (v > bestValue || (Double.isNaN(bestValue) && !Double.isNaN(v))) {
                best = i;
                bestValue = v;
            }
        }
        return best;
    }

    /**
     * Returns the fraction of the {@code n} rows whose predicted class equals the true class, in
     * [0, 1].
     *
     * @param predictions {@code n * classes} outputs
     * @param targets {@code n * classes} one-hot targets
     * @throws IllegalArgumentException if {@code n < 1}, {@code classes < 2} or an array is shorter
     *     than {@code n * classes}
     */
    public static double accuracy(double[] predictions, double[] targets, int n, int classes) {
        checkSizes(predictions, targets, n, classes, 2);
        int correct = 0;
        for (int i = 0; i < n; i++) {
            if (argmax(predictions, i * classes, classes) == argmax(targets, i * classes, classes)) {
                correct++;
            }
        }
        return (double) correct / n;
    }

    /**
     * Counts, for every pair of true and predicted class, how many of the {@code n} rows have it.
     *
     * @throws IllegalArgumentException as {@link #accuracy}
     */
    public static ConfusionMatrix confusionMatrix(double[] predictions, double[] targets, int n, int classes) {
        checkSizes(predictions, targets, n, classes, 2);
        int[][] counts = new int[classes][classes];
        for (int i = 0; i < n; i++) {
            counts[argmax(targets, i * classes, classes)][argmax(predictions, i * classes, classes)]++;
        }
        return new ConfusionMatrix(counts);
    }

    /**
     * Returns the mean of the squared differences over all {@code n * width} values.
     *
     * @throws IllegalArgumentException if {@code n < 1}, {@code width < 1} or an array is shorter
     *     than {@code n * width}
     */
    public static double meanSquaredError(double[] predictions, double[] targets, int n, int width) {
        checkSizes(predictions, targets, n, width, 1);
        int count = n * width;
        double sum = 0;
        for (int i = 0; i < count; i++) {
            double d = predictions[i] - targets[i];
            sum += d * d;
        }
        return sum / count;
    }

    private static void checkSizes(double[] predictions, double[] targets, int n, int width, int minWidth) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1, found " + n);
        }
        if (width < minWidth) {
            throw new IllegalArgumentException("width must be >= " + minWidth + ", found " + width);
        }
        long needed = (long) n * width;
        if (predictions.length < needed || targets.length < needed) {
            throw new IllegalArgumentException("expected at least " + n + " * " + width + " = " + needed
                    + " values, found " + predictions.length + " predictions and " + targets.length + " targets");
        }
    }
}
