package dev.nnc.runtime.vector;

import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The matrix products of double networks' predictions, register-blocked with the JDK's Vector API
 * as {@link VectorProducts} does for float: generated double classes call {@link #multiply} for
 * the dense products of {@code predict} when {@link dev.nnc.runtime.Vectorization#ENABLED} is
 * true (the JVM runs with {@code --add-modules jdk.incubator.vector}); otherwise this class is
 * never loaded. Training keeps the plain loops.
 *
 * <p>The plain loops add four weight rows per pass to each output row, which C2 vectorises but
 * which loads and stores the output row on every pass; for the narrow layers of small networks
 * the passes' loop overhead weighs more than the arithmetic (a 64-32 layer over a batch of 64 ran
 * at about 17 GFLOP/s). Here four rows by four vectors of sums (32 doubles wide with AVX-512) stay
 * in registers for the whole inner sum: per weight row, four vector loads and four broadcasts
 * feed sixteen fused multiply-adds. With AVX2's sixteen registers the widest block is four rows
 * by two vectors. Each block shape is a method of its own, in which vectors are created, used and
 * stored, for the reasons {@link VectorProducts} gives.
 *
 * <p>The order of every sum is fixed and the same in every block shape and tail: each element is
 * summed in slices of {@link #SLICE} weight rows, each slice a chain of fused multiply-adds from
 * zero in the order of k, the slices' sums added to the total in order, then the bias. So a
 * result depends only on the inputs, a one-sample prediction (a tile of one row, which streams
 * the weight rows whole) equals its row of a batch (where blocks of four rows run) to the last
 * bit, and the rounding error of a long sum stays that of at most {@link #SLICE} terms plus a few
 * slice totals.
 */
public final class DoubleProducts {
    private static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    /**
     * Whether four rows by four vectors fit the registers: 21 vectors at once (sixteen sums, four
     * weight vectors, one broadcast), which AVX-512's 32 registers take and AVX2's 16 do not.
     */
    private static final boolean FOUR_BY_FOUR = LANES >= 8;
    /** Weight rows per slice of every sum, as in {@link VectorProducts}. */
    private static final int SLICE = 256;
    /**
     * The four-by-four blocks run over this many weight rows at a time, every block of rows of
     * the tile in turn, before the next rows: the block's part of the weights (64 rows by four
     * vectors, 16 KB with AVX-512) then stays in the level-1 cache for all of the tile's rows. A
     * block continues the chains it stored for the rows before, so the sums are unchanged.
     */
    private static final int K_BLOCK = 64;

    /**
     * Each thread's rows for the sums of a slice after the first, before they are added to the
     * total: as many rows and columns as the largest product seen on the thread, so a prediction
     * allocates nothing after its first call on a thread.
     */
    private static final ThreadLocal<double[][]> PARTIALS = ThreadLocal.withInitial(() -> new double[0][]);

    static {
        OperatorCaches.fill();
    }

    private DoubleProducts() {}

    /** Doubles per vector: 8 with AVX-512, 4 with AVX2. */
    public static int lanes() {
        return LANES;
    }

    /** {@link #multiply(double[][], int, double[][], double[], double[][], int, int, int)} without a bias. */
    public static void multiply(double[][] a, int ao, double[][] b, double[][] c, int m, int inner, int width) {
        multiply(a, ao, b, null, c, m, inner, width);
    }

    /**
     * {@code c[i][j] = sum over k < inner of a[i][ao + k] * b[k][j]}, then {@code + bias[j]} unless
     * {@code bias} is null, for {@code i < m} and {@code j < width}: the product of a weight matrix,
     * given by its rows {@code b[k]}, with each of {@code m} per-sample vectors {@code a[i]}
     * (starting at column {@code ao}), summed in the order the class comment gives.
     */
    public static void multiply(
            double[][] a, int ao, double[][] b, double[] bias, double[][] c, int m, int inner, int width) {
        double[][] partial = inner > SLICE ? partialSums(m, width) : null;
        for (int from = 0; from < inner; from += SLICE) {
            int to = Math.min(inner, from + SLICE);
            if (from == 0) {
                // The first slice's sum is the total so far: it goes straight to c.
                slice(a, ao, b, c, m, from, to, width);
            } else {
                slice(a, ao, b, partial, m, from, to, width);
                addRows(partial, c, m, width);
            }
        }
        if (bias != null) {
            addBias(bias, c, m, width);
        }
    }

    /** Rows {@code 0} to {@code m - 1} of one slice's sums, over weight rows {@code from} to {@code to - 1}, into {@code t}. */
    private static void slice(double[][] a, int ao, double[][] b, double[][] t, int m, int from, int to, int width) {
        int blockedRows = m - m % 4;
        int wideColumns = FOUR_BY_FOUR ? width - width % (4 * LANES) : 0;
        if (blockedRows > 0 && wideColumns > 0) {
            // A chain that starts from a stored zero is the chain that starts from a zero vector.
            for (int i = 0; i < blockedRows; i++) {
                Arrays.fill(t[i], 0, wideColumns, 0.0);
            }
            for (int k = from; k < to; k += K_BLOCK) {
                int end = Math.min(to, k + K_BLOCK);
                for (int j = 0; j < wideColumns; j += 4 * LANES) {
                    for (int i = 0; i < blockedRows; i += 4) {
                        block4x4(a, i, ao, b, t, k, end, j);
                    }
                }
            }
        }
        for (int i = 0; i < blockedRows; i += 4) {
            int j = wideColumns;
            for (; j + 2 * LANES <= width; j += 2 * LANES) {
                block4x2(a, i, ao, b, t, from, to, j);
            }
            for (; j + LANES <= width; j += LANES) {
                block4x1(a, i, ao, b, t, from, to, j);
            }
            for (; j < width; j++) {
                scalar4(a, i, ao, b, t, from, to, j);
            }
        }
        for (int i = blockedRows; i < m; i++) {
            row(a, i, ao, b, t, from, to, width);
        }
    }

    /**
     * Row {@code i} of one slice's sums into {@code t[i]}, streaming the weight rows whole: eight
     * weight rows per pass over the row of sums (the last few one by one), each vector of sums loaded,
     * carried through the pass's fused multiply-adds in the order of k and stored. A row alone (a
     * one-sample prediction, the rows after the blocks of four) so reads the weights in the order
     * they lie; blocks of columns over all weight rows, as the four-row blocks read them, left a
     * 784-256-128-10 network at 0.74x the plain loops for one sample, four rows per pass at 0.89x.
     * Each element is the same chain as in the blocks.
     */
    private static void row(double[][] a, int i, int ao, double[][] b, double[][] t, int from, int to, int width) {
        double[] x = a[i];
        double[] y = t[i];
        Arrays.fill(y, 0, width, 0.0);
        int k = from;
        for (; k + 8 <= to; k += 8) {
            rowPass8(x, ao, b, y, k, width);
        }
        for (; k < to; k++) {
            rowPass1(x, ao, b, y, k, width);
        }
    }

    /** {@code y[j]} through the fused multiply-adds of weight rows {@code k} to {@code k + 7}, in order. */
    private static void rowPass8(double[] x, int ao, double[][] b, double[] y, int k, int width) {
        double[] b0 = b[k];
        double[] b1 = b[k + 1];
        double[] b2 = b[k + 2];
        double[] b3 = b[k + 3];
        double[] b4 = b[k + 4];
        double[] b5 = b[k + 5];
        double[] b6 = b[k + 6];
        double[] b7 = b[k + 7];
        double x0 = x[ao + k];
        double x1 = x[ao + k + 1];
        double x2 = x[ao + k + 2];
        double x3 = x[ao + k + 3];
        double x4 = x[ao + k + 4];
        double x5 = x[ao + k + 5];
        double x6 = x[ao + k + 6];
        double x7 = x[ao + k + 7];
        DoubleVector v0 = DoubleVector.broadcast(SPECIES, x0);
        DoubleVector v1 = DoubleVector.broadcast(SPECIES, x1);
        DoubleVector v2 = DoubleVector.broadcast(SPECIES, x2);
        DoubleVector v3 = DoubleVector.broadcast(SPECIES, x3);
        DoubleVector v4 = DoubleVector.broadcast(SPECIES, x4);
        DoubleVector v5 = DoubleVector.broadcast(SPECIES, x5);
        DoubleVector v6 = DoubleVector.broadcast(SPECIES, x6);
        DoubleVector v7 = DoubleVector.broadcast(SPECIES, x7);
        int j = 0;
        for (; j + LANES <= width; j += LANES) {
            DoubleVector s = DoubleVector.fromArray(SPECIES, y, j);
            s = DoubleVector.fromArray(SPECIES, b0, j).fma(v0, s);
            s = DoubleVector.fromArray(SPECIES, b1, j).fma(v1, s);
            s = DoubleVector.fromArray(SPECIES, b2, j).fma(v2, s);
            s = DoubleVector.fromArray(SPECIES, b3, j).fma(v3, s);
            s = DoubleVector.fromArray(SPECIES, b4, j).fma(v4, s);
            s = DoubleVector.fromArray(SPECIES, b5, j).fma(v5, s);
            s = DoubleVector.fromArray(SPECIES, b6, j).fma(v6, s);
            s = DoubleVector.fromArray(SPECIES, b7, j).fma(v7, s);
            s.intoArray(y, j);
        }
        for (; j < width; j++) {
            double s = y[j];
            s = Math.fma(b0[j], x0, s);
            s = Math.fma(b1[j], x1, s);
            s = Math.fma(b2[j], x2, s);
            s = Math.fma(b3[j], x3, s);
            s = Math.fma(b4[j], x4, s);
            s = Math.fma(b5[j], x5, s);
            s = Math.fma(b6[j], x6, s);
            s = Math.fma(b7[j], x7, s);
            y[j] = s;
        }
    }

    /** {@code y[j]} through the fused multiply-add of weight row {@code k}. */
    private static void rowPass1(double[] x, int ao, double[][] b, double[] y, int k, int width) {
        double[] bk = b[k];
        double xk = x[ao + k];
        DoubleVector v = DoubleVector.broadcast(SPECIES, xk);
        int j = 0;
        for (; j + LANES <= width; j += LANES) {
            DoubleVector.fromArray(SPECIES, bk, j)
                    .fma(v, DoubleVector.fromArray(SPECIES, y, j))
                    .intoArray(y, j);
        }
        for (; j < width; j++) {
            y[j] = Math.fma(bk[j], xk, y[j]);
        }
    }

    /**
     * This thread's {@link #PARTIALS} rows, at least {@code rows} of at least {@code width}
     * doubles, grown if they are smaller.
     */
    private static double[][] partialSums(int rows, int width) {
        double[][] partial = PARTIALS.get();
        if (partial.length < rows || partial[0].length < width) {
            partial = new double[Math.max(rows, partial.length)]
                    [Math.max(width, partial.length == 0 ? 0 : partial[0].length)];
            PARTIALS.set(partial);
        }
        return partial;
    }

    /** {@code c[i][j] += partial[i][j]} for {@code i < m}, {@code j < width}: a later slice's sums added to the total. */
    private static void addRows(double[][] partial, double[][] c, int m, int width) {
        for (int i = 0; i < m; i++) {
            double[] from = partial[i];
            double[] to = c[i];
            for (int j = 0; j < width; j++) {
                to[j] += from[j];
            }
        }
    }

    /**
     * {@code c[i][j] += bias[j]}: a pass of its own after the sums, not an add as the blocks store
     * them, because no vector may pass through a merge of control flow (see {@link
     * VectorProducts}).
     */
    private static void addBias(double[] bias, double[][] c, int m, int width) {
        for (int i = 0; i < m; i++) {
            double[] row = c[i];
            for (int j = 0; j < width; j++) {
                row[j] += bias[j];
            }
        }
    }

    /**
     * Rows {@code i} to {@code i + 3}, four vectors of columns from {@code j}: the sums that {@code
     * c} holds (zero before a slice's first weight rows) continued over {@code k} from {@code from}
     * to {@code to - 1}, the same chains as if stored nowhere between blocks of weight rows.
     */
    private static void block4x4(double[][] a, int i, int ao, double[][] b, double[][] c, int from, int to, int j) {
        double[] a0 = a[i];
        double[] a1 = a[i + 1];
        double[] a2 = a[i + 2];
        double[] a3 = a[i + 3];
        double[] t0 = c[i];
        double[] t1 = c[i + 1];
        double[] t2 = c[i + 2];
        double[] t3 = c[i + 3];
        DoubleVector s00 = DoubleVector.fromArray(SPECIES, t0, j);
        DoubleVector s01 = DoubleVector.fromArray(SPECIES, t0, j + LANES);
        DoubleVector s02 = DoubleVector.fromArray(SPECIES, t0, j + 2 * LANES);
        DoubleVector s03 = DoubleVector.fromArray(SPECIES, t0, j + 3 * LANES);
        DoubleVector s10 = DoubleVector.fromArray(SPECIES, t1, j);
        DoubleVector s11 = DoubleVector.fromArray(SPECIES, t1, j + LANES);
        DoubleVector s12 = DoubleVector.fromArray(SPECIES, t1, j + 2 * LANES);
        DoubleVector s13 = DoubleVector.fromArray(SPECIES, t1, j + 3 * LANES);
        DoubleVector s20 = DoubleVector.fromArray(SPECIES, t2, j);
        DoubleVector s21 = DoubleVector.fromArray(SPECIES, t2, j + LANES);
        DoubleVector s22 = DoubleVector.fromArray(SPECIES, t2, j + 2 * LANES);
        DoubleVector s23 = DoubleVector.fromArray(SPECIES, t2, j + 3 * LANES);
        DoubleVector s30 = DoubleVector.fromArray(SPECIES, t3, j);
        DoubleVector s31 = DoubleVector.fromArray(SPECIES, t3, j + LANES);
        DoubleVector s32 = DoubleVector.fromArray(SPECIES, t3, j + 2 * LANES);
        DoubleVector s33 = DoubleVector.fromArray(SPECIES, t3, j + 3 * LANES);
        for (int k = from; k < to; k++) {
            double[] bk = b[k];
            DoubleVector b0 = DoubleVector.fromArray(SPECIES, bk, j);
            DoubleVector b1 = DoubleVector.fromArray(SPECIES, bk, j + LANES);
            DoubleVector b2 = DoubleVector.fromArray(SPECIES, bk, j + 2 * LANES);
            DoubleVector b3 = DoubleVector.fromArray(SPECIES, bk, j + 3 * LANES);
            DoubleVector x = DoubleVector.broadcast(SPECIES, a0[ao + k]);
            s00 = b0.fma(x, s00);
            s01 = b1.fma(x, s01);
            s02 = b2.fma(x, s02);
            s03 = b3.fma(x, s03);
            x = DoubleVector.broadcast(SPECIES, a1[ao + k]);
            s10 = b0.fma(x, s10);
            s11 = b1.fma(x, s11);
            s12 = b2.fma(x, s12);
            s13 = b3.fma(x, s13);
            x = DoubleVector.broadcast(SPECIES, a2[ao + k]);
            s20 = b0.fma(x, s20);
            s21 = b1.fma(x, s21);
            s22 = b2.fma(x, s22);
            s23 = b3.fma(x, s23);
            x = DoubleVector.broadcast(SPECIES, a3[ao + k]);
            s30 = b0.fma(x, s30);
            s31 = b1.fma(x, s31);
            s32 = b2.fma(x, s32);
            s33 = b3.fma(x, s33);
        }
        double[] c0 = c[i];
        s00.intoArray(c0, j);
        s01.intoArray(c0, j + LANES);
        s02.intoArray(c0, j + 2 * LANES);
        s03.intoArray(c0, j + 3 * LANES);
        double[] c1 = c[i + 1];
        s10.intoArray(c1, j);
        s11.intoArray(c1, j + LANES);
        s12.intoArray(c1, j + 2 * LANES);
        s13.intoArray(c1, j + 3 * LANES);
        double[] c2 = c[i + 2];
        s20.intoArray(c2, j);
        s21.intoArray(c2, j + LANES);
        s22.intoArray(c2, j + 2 * LANES);
        s23.intoArray(c2, j + 3 * LANES);
        double[] c3 = c[i + 3];
        s30.intoArray(c3, j);
        s31.intoArray(c3, j + LANES);
        s32.intoArray(c3, j + 2 * LANES);
        s33.intoArray(c3, j + 3 * LANES);
    }

    /** Rows {@code i} to {@code i + 3}, two vectors of columns from {@code j}. */
    private static void block4x2(double[][] a, int i, int ao, double[][] b, double[][] c, int from, int to, int j) {
        double[] a0 = a[i];
        double[] a1 = a[i + 1];
        double[] a2 = a[i + 2];
        double[] a3 = a[i + 3];
        DoubleVector s00 = DoubleVector.zero(SPECIES),
                s01 = s00,
                s10 = s00,
                s11 = s00,
                s20 = s00,
                s21 = s00,
                s30 = s00,
                s31 = s00;
        for (int k = from; k < to; k++) {
            double[] bk = b[k];
            DoubleVector b0 = DoubleVector.fromArray(SPECIES, bk, j);
            DoubleVector b1 = DoubleVector.fromArray(SPECIES, bk, j + LANES);
            DoubleVector x = DoubleVector.broadcast(SPECIES, a0[ao + k]);
            s00 = b0.fma(x, s00);
            s01 = b1.fma(x, s01);
            x = DoubleVector.broadcast(SPECIES, a1[ao + k]);
            s10 = b0.fma(x, s10);
            s11 = b1.fma(x, s11);
            x = DoubleVector.broadcast(SPECIES, a2[ao + k]);
            s20 = b0.fma(x, s20);
            s21 = b1.fma(x, s21);
            x = DoubleVector.broadcast(SPECIES, a3[ao + k]);
            s30 = b0.fma(x, s30);
            s31 = b1.fma(x, s31);
        }
        double[] c0 = c[i];
        s00.intoArray(c0, j);
        s01.intoArray(c0, j + LANES);
        double[] c1 = c[i + 1];
        s10.intoArray(c1, j);
        s11.intoArray(c1, j + LANES);
        double[] c2 = c[i + 2];
        s20.intoArray(c2, j);
        s21.intoArray(c2, j + LANES);
        double[] c3 = c[i + 3];
        s30.intoArray(c3, j);
        s31.intoArray(c3, j + LANES);
    }

    /** Rows {@code i} to {@code i + 3}, one vector of columns from {@code j}. */
    private static void block4x1(double[][] a, int i, int ao, double[][] b, double[][] c, int from, int to, int j) {
        double[] a0 = a[i];
        double[] a1 = a[i + 1];
        double[] a2 = a[i + 2];
        double[] a3 = a[i + 3];
        DoubleVector s00 = DoubleVector.zero(SPECIES), s10 = s00, s20 = s00, s30 = s00;
        for (int k = from; k < to; k++) {
            double[] bk = b[k];
            DoubleVector b0 = DoubleVector.fromArray(SPECIES, bk, j);
            DoubleVector x = DoubleVector.broadcast(SPECIES, a0[ao + k]);
            s00 = b0.fma(x, s00);
            x = DoubleVector.broadcast(SPECIES, a1[ao + k]);
            s10 = b0.fma(x, s10);
            x = DoubleVector.broadcast(SPECIES, a2[ao + k]);
            s20 = b0.fma(x, s20);
            x = DoubleVector.broadcast(SPECIES, a3[ao + k]);
            s30 = b0.fma(x, s30);
        }
        double[] c0 = c[i];
        s00.intoArray(c0, j);
        double[] c1 = c[i + 1];
        s10.intoArray(c1, j);
        double[] c2 = c[i + 2];
        s20.intoArray(c2, j);
        double[] c3 = c[i + 3];
        s30.intoArray(c3, j);
    }

    /** Rows {@code i} to {@code i + 3}, column {@code j}: scalar fused multiply-adds, in the blocks' order. */
    private static void scalar4(double[][] a, int i, int ao, double[][] b, double[][] c, int from, int to, int j) {
        double[] a0 = a[i];
        double[] a1 = a[i + 1];
        double[] a2 = a[i + 2];
        double[] a3 = a[i + 3];
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        for (int k = from; k < to; k++) {
            double w = b[k][j];
            s0 = Math.fma(w, a0[ao + k], s0);
            s1 = Math.fma(w, a1[ao + k], s1);
            s2 = Math.fma(w, a2[ao + k], s2);
            s3 = Math.fma(w, a3[ao + k], s3);
        }
        c[i][j] = s0;
        c[i + 1][j] = s1;
        c[i + 2][j] = s2;
        c[i + 3][j] = s3;
    }
}
