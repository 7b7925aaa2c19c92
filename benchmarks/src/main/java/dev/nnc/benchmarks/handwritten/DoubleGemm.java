package dev.nnc.benchmarks.handwritten;

import java.util.Arrays;

/**
 * The matrix kernels of the hand-written baselines, in double precision: row-major flat arrays,
 * i-k-j loop order so that the innermost loop is a contiguous multiply-add that C2
 * auto-vectorises (a dot-product inner loop is a floating-point reduction, which C2 keeps in
 * source order and so does not vectorise profitably).
 *
 * <p>Two further things a careful engineer does by hand: the reduction index is unrolled by four,
 * so each pass over an output row does four multiply-adds per load and store of that row; and
 * the right-hand matrix is walked in panels of rows that fit in L2, so a large weight matrix is
 * read from memory once per batch instead of once per sample.
 */
final class DoubleGemm {
    /** Bytes of the right-hand panel kept hot in L2 (half of a 512 KiB L2). */
    private static final int PANEL_BYTES = 256 * 1024;

    private DoubleGemm() {}

    /** {@code c[m][n] += a[m][k] * b[k][n]}. */
    static void multiplyAdd(double[] a, int m, int k, double[] b, int n, double[] c) {
        int panel = panelRows(n);
        for (int k0 = 0; k0 < k; k0 += panel) {
            int k1 = Math.min(k, k0 + panel);
            for (int i = 0; i < m; i++) {
                int ai = i * k;
                int ci = i * n;
                int p = k0;
                for (; p + 3 < k1; p += 4) {
                    double a0 = a[ai + p];
                    double a1 = a[ai + p + 1];
                    double a2 = a[ai + p + 2];
                    double a3 = a[ai + p + 3];
                    int b0 = p * n;
                    int b1 = b0 + n;
                    int b2 = b1 + n;
                    int b3 = b2 + n;
                    for (int j = 0; j < n; j++) {
                        c[ci + j] += a0 * b[b0 + j] + a1 * b[b1 + j] + a2 * b[b2 + j] + a3 * b[b3 + j];
                    }
                }
                for (; p < k1; p++) {
                    double ap = a[ai + p];
                    int bp = p * n;
                    for (int j = 0; j < n; j++) {
                        c[ci + j] += ap * b[bp + j];
                    }
                }
            }
        }
    }

    /**
     * {@code c[m][n] += transpose(a)[m][k] * b[k][n]}, where {@code a} is stored {@code [k][m]}:
     * the weight gradient {@code x^T * dz} without materialising the transpose. Each output row
     * stays in L1 while the whole batch is added into it.
     */
    static void multiplyTransposedAdd(double[] a, int k, int m, double[] b, int n, double[] c) {
        for (int i = 0; i < m; i++) {
            int ci = i * n;
            int p = 0;
            for (; p + 3 < k; p += 4) {
                double a0 = a[p * m + i];
                double a1 = a[(p + 1) * m + i];
                double a2 = a[(p + 2) * m + i];
                double a3 = a[(p + 3) * m + i];
                int b0 = p * n;
                int b1 = b0 + n;
                int b2 = b1 + n;
                int b3 = b2 + n;
                for (int j = 0; j < n; j++) {
                    c[ci + j] += a0 * b[b0 + j] + a1 * b[b1 + j] + a2 * b[b2 + j] + a3 * b[b3 + j];
                }
            }
            for (; p < k; p++) {
                double ap = a[p * m + i];
                int bp = p * n;
                for (int j = 0; j < n; j++) {
                    c[ci + j] += ap * b[bp + j];
                }
            }
        }
    }

    /** {@code t[cols][rows] = transpose(a[rows][cols])}. */
    static void transpose(double[] a, int rows, int cols, double[] t) {
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = a[r * cols + c];
            }
        }
    }

    /** Every row of {@code c[m][n]} set to {@code row[n]}: the bias, before the products add in. */
    static void fillRows(double[] c, int m, double[] row, int n) {
        for (int i = 0; i < m; i++) {
            System.arraycopy(row, 0, c, i * n, n);
        }
    }

    /** {@code sums[n] = column sums of a[m][n]}: the bias gradient. */
    static void columnSums(double[] a, int m, int n, double[] sums) {
        Arrays.fill(sums, 0, n, 0.0);
        for (int i = 0; i < m; i++) {
            int ai = i * n;
            for (int j = 0; j < n; j++) {
                sums[j] += a[ai + j];
            }
        }
    }

    private static int panelRows(int n) {
        return Math.max(4, (PANEL_BYTES / (Double.BYTES * n)) & ~3);
    }
}
