package dev.nnc.compiler.loops;

/**
 * A matrix kept flat in row-major order, as a node's value is, laid out as the arrays of rows the
 * nests read: by rows, or by columns (a weight's columns as rows).
 */
final class RowMajor {
    private RowMajor() {}

    /** {@code values [rows][columns]} as its rows. */
    static double[][] rows(double[] values, int rows, int columns) {
        double[][] out = new double[rows][columns];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(values, r * columns, out[r], 0, columns);
        }
        return out;
    }

    /** {@code values [rows][columns]} as its columns. */
    static double[][] columns(double[] values, int rows, int columns) {
        double[][] out = new double[columns][rows];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                out[c][r] = values[r * columns + c];
            }
        }
        return out;
    }
}
