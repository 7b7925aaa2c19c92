package dev.nnc.runtime;

import java.util.Arrays;

/**
 * Counts of (true class, predicted class) pairs, as computed by {@link Metrics#confusionMatrix}.
 * Rows are true classes, columns predicted classes; the diagonal holds the correct predictions.
 *
 * @param counts a square matrix, {@code counts[actual][predicted]}, of non-negative counts
 */
public record ConfusionMatrix(int[][] counts) {

    /**
     * Validates and deep-copies.
     *
     * @throws IllegalArgumentException if the matrix is not square, is smaller than 2 x 2 or has a
     *     negative count
     */
    public ConfusionMatrix {
        int classes = counts.length;
        if (classes < 2) {
            throw new IllegalArgumentException("expected at least 2 classes, found " + classes);
        }
        int[][] copy = new int[classes][];
        for (int i = 0; i < classes; i++) {
            if (counts[i].length != classes) {
                throw new IllegalArgumentException("expected a square matrix; row " + i + " has " + counts[i].length
                        + " of " + classes + " columns");
            }
            copy[i] = counts[i].clone();
            for (int count : copy[i]) {
                if (count < 0) {
                    throw new IllegalArgumentException("row " + i + " has a negative count " + count);
                }
            }
        }
        counts = copy;
    }

    /** The number of classes. */
    public int classes() {
        return counts.length;
    }

    /** Returns a deep copy of the counts. */
    @Override
    public int[][] counts() {
        int[][] copy = new int[counts.length][];
        for (int i = 0; i < counts.length; i++) {
            copy[i] = counts[i].clone();
        }
        return copy;
    }

    /** How many rows of true class {@code actual} were predicted as {@code predicted}. */
    public int count(int actual, int predicted) {
        return counts[actual][predicted];
    }

    /** The total number of rows counted. */
    public int total() {
        int total = 0;
        for (int[] row : counts) {
            for (int count : row) {
                total += count;
            }
        }
        return total;
    }

    /** The fraction of rows on the diagonal, or NaN if nothing was counted. */
    public double accuracy() {
        int correct = 0;
        for (int i = 0; i < counts.length; i++) {
            correct += counts[i][i];
        }
        return (double) correct / total();
    }

    /**
     * Renders an aligned table, true classes down, predicted classes across, with row totals:
     *
     * <pre>
     * actual \ predicted   0   1   2  total
     *                  0  50   0   0     50
     *                  1   0  47   3     50
     *                  2   0   2  48     50
     * </pre>
     */
    @Override
    public String toString() {
        int classes = counts.length;
        String corner = "actual \\ predicted";
        int width = Math.max(
                String.valueOf(total()).length(), String.valueOf(classes - 1).length());
        StringBuilder sb = new StringBuilder();
        sb.append(corner);
        for (int p = 0; p < classes; p++) {
            sb.append(' ').append(pad(String.valueOf(p), width + 1));
        }
        sb.append("  total\n");
        for (int a = 0; a < classes; a++) {
            sb.append(pad(String.valueOf(a), corner.length()));
            int rowTotal = 0;
            for (int p = 0; p < classes; p++) {
                sb.append(' ').append(pad(String.valueOf(counts[a][p]), width + 1));
                rowTotal += counts[a][p];
            }
            sb.append(' ')
                    .append(pad(String.valueOf(rowTotal), "total".length() + 1))
                    .append('\n');
        }
        return sb.toString();
    }

    private static String pad(String s, int width) {
        return " ".repeat(Math.max(0, width - s.length())) + s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConfusionMatrix m && Arrays.deepEquals(counts, m.counts);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(counts);
    }
}
