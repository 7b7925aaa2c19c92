package dev.nnc.benchmarks.handwritten;

import java.util.Arrays;

/**
 * The matrix kernels of the hand-written baselines, in single precision. Matrices are arrays of
 * rows, each row a flat array, and every product is in i-k-j order, so the innermost loop is a
 * contiguous multiply-add over whole rows that C2 auto-vectorises; a dot-product inner loop is a
 * floating-point reduction, which C2 keeps in source order and does not vectorise profitably.
 *
 * <p>Why rows and not one flat array per matrix: on JDK 17, C2's SuperWord does not vectorise a
 * loop like {@code y[yo + j] += a * x[xo + j]} whose indices carry a loop-invariant offset;
 * measured on this machine, that axpy runs at 4.6 GFLOP/s against 21 GFLOP/s for {@code y[j] +=
 * a * x[j]}, and a 64x784x256 float product at 7 against 26 GFLOP/s. Rows give every inner loop
 * zero offsets.
 *
 * <p>The reduction index is unrolled by four, so each pass over an output row does four
 * multiply-adds per load and store of that row (measured: 26 against 20 GFLOP/s).
 */
final class FloatGemm {
    private FloatGemm() {}

    /** {@code c[i] += sum over p of a[i][p] * b[p]}, for the first {@code m} rows: {@code C += A B}. */
    static void multiplyAdd(float[][] a, int m, int k, float[][] b, int n, float[][] c) {
        for (int i = 0; i < m; i++) {
            float[] ai = a[i];
            float[] ci = c[i];
            int p = 0;
            for (; p + 3 < k; p += 4) {
                float a0 = ai[p];
                float a1 = ai[p + 1];
                float a2 = ai[p + 2];
                float a3 = ai[p + 3];
                float[] b0 = b[p];
                float[] b1 = b[p + 1];
                float[] b2 = b[p + 2];
                float[] b3 = b[p + 3];
                for (int j = 0; j < n; j++) {
                    ci[j] += a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j];
                }
            }
            for (; p < k; p++) {
                float ap = ai[p];
                float[] bp = b[p];
                for (int j = 0; j < n; j++) {
                    ci[j] += ap * bp[j];
                }
            }
        }
    }

    /**
     * {@code c[i] += sum over p < k of a[p][i] * b[p]}: {@code C += A^T B} without materialising
     * the transpose, the weight gradient {@code x^T dz} summed over a batch of {@code k} rows.
     * Each output row stays in L1 while the whole batch is added into it.
     */
    static void multiplyTransposedAdd(float[][] a, int k, int m, float[][] b, int n, float[][] c) {
        for (int i = 0; i < m; i++) {
            float[] ci = c[i];
            int p = 0;
            for (; p + 3 < k; p += 4) {
                float a0 = a[p][i];
                float a1 = a[p + 1][i];
                float a2 = a[p + 2][i];
                float a3 = a[p + 3][i];
                float[] b0 = b[p];
                float[] b1 = b[p + 1];
                float[] b2 = b[p + 2];
                float[] b3 = b[p + 3];
                for (int j = 0; j < n; j++) {
                    ci[j] += a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j];
                }
            }
            for (; p < k; p++) {
                float ap = a[p][i];
                float[] bp = b[p];
                for (int j = 0; j < n; j++) {
                    ci[j] += ap * bp[j];
                }
            }
        }
    }

    /**
     * {@code c[i][j] = sum over t < k of a[i][t] * b[j][t]} for the first {@code m} rows of
     * {@code a} and {@code n} of {@code b}: {@code C = A B^T}, the weight gradient of a
     * convolution ({@code dOut x cols^T}), where both operands are long rows and the result is
     * small. Dot products are reductions that C2 does not vectorise, so the kernel computes a 2x4
     * block of them at once: eight independent sums per pass, six loads for eight multiply-adds.
     */
    static void multiplyByTransposed(float[][] a, int m, float[][] b, int n, int k, float[][] c) {
        int i = 0;
        for (; i + 1 < m; i += 2) {
            float[] a0 = a[i];
            float[] a1 = a[i + 1];
            int j = 0;
            for (; j + 3 < n; j += 4) {
                float[] b0 = b[j];
                float[] b1 = b[j + 1];
                float[] b2 = b[j + 2];
                float[] b3 = b[j + 3];
                float s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
                for (int t = 0; t < k; t++) {
                    float x0 = a0[t];
                    float x1 = a1[t];
                    float y0 = b0[t];
                    float y1 = b1[t];
                    float y2 = b2[t];
                    float y3 = b3[t];
                    s00 += x0 * y0;
                    s01 += x0 * y1;
                    s02 += x0 * y2;
                    s03 += x0 * y3;
                    s10 += x1 * y0;
                    s11 += x1 * y1;
                    s12 += x1 * y2;
                    s13 += x1 * y3;
                }
                c[i][j] = s00;
                c[i][j + 1] = s01;
                c[i][j + 2] = s02;
                c[i][j + 3] = s03;
                c[i + 1][j] = s10;
                c[i + 1][j + 1] = s11;
                c[i + 1][j + 2] = s12;
                c[i + 1][j + 3] = s13;
            }
            for (; j < n; j++) {
                c[i][j] = dot(a0, b[j], k);
                c[i + 1][j] = dot(a1, b[j], k);
            }
        }
        for (; i < m; i++) {
            for (int j = 0; j < n; j++) {
                c[i][j] = dot(a[i], b[j], k);
            }
        }
    }

    private static float dot(float[] x, float[] y, int k) {
        float sum = 0;
        for (int t = 0; t < k; t++) {
            sum += x[t] * y[t];
        }
        return sum;
    }

    /** {@code t = transpose(a)}. */
    static void transpose(float[][] a, float[][] t) {
        for (int r = 0; r < a.length; r++) {
            for (int c = 0; c < a[r].length; c++) {
                t[c][r] = a[r][c];
            }
        }
    }

    /** The first {@code m} rows of {@code c} set to {@code row}: the bias, before the products add in. */
    static void fillRows(float[][] c, int m, float[] row) {
        for (int i = 0; i < m; i++) {
            System.arraycopy(row, 0, c[i], 0, row.length);
        }
    }

    /** {@code sums = column sums of the first m rows of a}: the bias gradient. */
    static void columnSums(float[][] a, int m, float[] sums) {
        Arrays.fill(sums, 0.0f);
        for (int i = 0; i < m; i++) {
            float[] ai = a[i];
            for (int j = 0; j < sums.length; j++) {
                sums[j] += ai[j];
            }
        }
    }

    /** Zeroes the first {@code m} rows of {@code a}. */
    static void clear(float[][] a, int m) {
        for (int i = 0; i < m; i++) {
            Arrays.fill(a[i], 0.0f);
        }
    }
}
