package dev.nnc.runtime.vector;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The matrix products of tiled float networks (and the sums of squares of their gradient norm),
 * register-blocked with the JDK's Vector API
 * ({@code jdk.incubator.vector}). Generated code calls these only when {@link
 * dev.nnc.runtime.Vectorization#ENABLED} is true, that is when the JVM runs with {@code
 * --add-modules jdk.incubator.vector}; otherwise this class is never loaded.
 *
 * <p>Why they are faster than the plain loops: C2 vectorises a loop like {@code y[j] += x * w[j]},
 * but each multiply-add then loads and stores {@code y}, so the loop is bound by memory traffic
 * at about a third of the machine's multiply-add rate. Here a block of four output rows by four
 * vectors (64 floats with 512-bit vectors) stays in sixteen registers for the whole inner sum:
 * per step of the sum, four vector loads and four broadcasts feed sixteen fused multiply-adds.
 * Widths that are not a multiple of the vector length end in narrower blocks and a scalar tail.
 *
 * <p>Vectors never cross a method call, which is why the stores are written out in full: C2 boxes
 * the vector arguments of a call it does not inline, and whether it inlines a helper depends on
 * what was compiled before (a helper already compiled on its own to more than {@code
 * InlineSmallCode} bytes is not inlined again), so a helper that is free in one run can allocate
 * on every block in another.
 *
 * <p>All rows are {@code float[]} arrays (the generated code keeps per-sample values and weight
 * columns as arrays of rows). The sums use fused multiply-adds in a fixed order, so a result
 * depends only on the inputs and the vector length, never on timing; it differs from the plain
 * loops' in the last bits.
 */
public final class VectorProducts {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    private static final int BLOCK = 4 * LANES;
    /**
     * Whether four rows by four vectors (sixteen accumulators) fit the registers: yes with
     * AVX-512's 32 vector registers, not with AVX2's 16, where four rows by two vectors is
     * faster (N5's first product on one Zen 4 core: 114 GFLOP/s with 4 x 4 at 512 bits; at 256
     * bits, {@code -XX:UseAVX=2}, 58 with 4 x 4 and 63-66 with 4 x 2).
     */
    private static final boolean FOUR_BY_FOUR = LANES >= 16;
    /** Doubles of the same vector size: a float vector widens into two of them. */
    private static final VectorSpecies<Double> WIDE = DoubleVector.SPECIES_PREFERRED;

    private VectorProducts() {}

    /** Floats per vector: 16 with AVX-512, 8 with AVX2. */
    public static int lanes() {
        return LANES;
    }

    /**
     * {@code c[i][j] = sum over k < inner of a[i][ao + k] * b[k][j]} for {@code i < m} and
     * {@code j < width}: the product of a weight matrix, given by its rows {@code b[k]}, with
     * each of {@code m} per-sample vectors {@code a[i]} (starting at column {@code ao}).
     */
    public static void multiply(float[][] a, int ao, float[][] b, float[][] c, int m, int inner, int width) {
        int i = 0;
        for (; i + 4 <= m; i += 4) {
            multiplyFour(a[i], a[i + 1], a[i + 2], a[i + 3], ao, b, c[i], c[i + 1], c[i + 2], c[i + 3], inner, width);
        }
        for (; i < m; i++) {
            multiplyOne(a[i], ao, b, c[i], inner, width);
        }
    }

    private static void multiplyFour(
            float[] a0,
            float[] a1,
            float[] a2,
            float[] a3,
            int ao,
            float[][] b,
            float[] c0,
            float[] c1,
            float[] c2,
            float[] c3,
            int inner,
            int width) {
        int j = 0;
        for (; FOUR_BY_FOUR && j + BLOCK <= width; j += BLOCK) {
            FloatVector s00 = FloatVector.zero(SPECIES), s01 = s00, s02 = s00, s03 = s00;
            FloatVector s10 = s00, s11 = s00, s12 = s00, s13 = s00;
            FloatVector s20 = s00, s21 = s00, s22 = s00, s23 = s00;
            FloatVector s30 = s00, s31 = s00, s32 = s00, s33 = s00;
            for (int k = 0; k < inner; k++) {
                float[] bk = b[k];
                FloatVector b0 = FloatVector.fromArray(SPECIES, bk, j);
                FloatVector b1 = FloatVector.fromArray(SPECIES, bk, j + LANES);
                FloatVector b2 = FloatVector.fromArray(SPECIES, bk, j + 2 * LANES);
                FloatVector b3 = FloatVector.fromArray(SPECIES, bk, j + 3 * LANES);
                FloatVector x = FloatVector.broadcast(SPECIES, a0[ao + k]);
                s00 = b0.fma(x, s00);
                s01 = b1.fma(x, s01);
                s02 = b2.fma(x, s02);
                s03 = b3.fma(x, s03);
                x = FloatVector.broadcast(SPECIES, a1[ao + k]);
                s10 = b0.fma(x, s10);
                s11 = b1.fma(x, s11);
                s12 = b2.fma(x, s12);
                s13 = b3.fma(x, s13);
                x = FloatVector.broadcast(SPECIES, a2[ao + k]);
                s20 = b0.fma(x, s20);
                s21 = b1.fma(x, s21);
                s22 = b2.fma(x, s22);
                s23 = b3.fma(x, s23);
                x = FloatVector.broadcast(SPECIES, a3[ao + k]);
                s30 = b0.fma(x, s30);
                s31 = b1.fma(x, s31);
                s32 = b2.fma(x, s32);
                s33 = b3.fma(x, s33);
            }
            s00.intoArray(c0, j);
            s01.intoArray(c0, j + LANES);
            s02.intoArray(c0, j + 2 * LANES);
            s03.intoArray(c0, j + 3 * LANES);
            s10.intoArray(c1, j);
            s11.intoArray(c1, j + LANES);
            s12.intoArray(c1, j + 2 * LANES);
            s13.intoArray(c1, j + 3 * LANES);
            s20.intoArray(c2, j);
            s21.intoArray(c2, j + LANES);
            s22.intoArray(c2, j + 2 * LANES);
            s23.intoArray(c2, j + 3 * LANES);
            s30.intoArray(c3, j);
            s31.intoArray(c3, j + LANES);
            s32.intoArray(c3, j + 2 * LANES);
            s33.intoArray(c3, j + 3 * LANES);
        }
        for (; j + 2 * LANES <= width; j += 2 * LANES) {
            FloatVector s00 = FloatVector.zero(SPECIES), s01 = s00;
            FloatVector s10 = s00, s11 = s00, s20 = s00, s21 = s00, s30 = s00, s31 = s00;
            for (int k = 0; k < inner; k++) {
                float[] bk = b[k];
                FloatVector b0 = FloatVector.fromArray(SPECIES, bk, j);
                FloatVector b1 = FloatVector.fromArray(SPECIES, bk, j + LANES);
                FloatVector x = FloatVector.broadcast(SPECIES, a0[ao + k]);
                s00 = b0.fma(x, s00);
                s01 = b1.fma(x, s01);
                x = FloatVector.broadcast(SPECIES, a1[ao + k]);
                s10 = b0.fma(x, s10);
                s11 = b1.fma(x, s11);
                x = FloatVector.broadcast(SPECIES, a2[ao + k]);
                s20 = b0.fma(x, s20);
                s21 = b1.fma(x, s21);
                x = FloatVector.broadcast(SPECIES, a3[ao + k]);
                s30 = b0.fma(x, s30);
                s31 = b1.fma(x, s31);
            }
            s00.intoArray(c0, j);
            s01.intoArray(c0, j + LANES);
            s10.intoArray(c1, j);
            s11.intoArray(c1, j + LANES);
            s20.intoArray(c2, j);
            s21.intoArray(c2, j + LANES);
            s30.intoArray(c3, j);
            s31.intoArray(c3, j + LANES);
        }
        for (; j + LANES <= width; j += LANES) {
            FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0;
            for (int k = 0; k < inner; k++) {
                FloatVector bv = FloatVector.fromArray(SPECIES, b[k], j);
                s0 = bv.fma(FloatVector.broadcast(SPECIES, a0[ao + k]), s0);
                s1 = bv.fma(FloatVector.broadcast(SPECIES, a1[ao + k]), s1);
                s2 = bv.fma(FloatVector.broadcast(SPECIES, a2[ao + k]), s2);
                s3 = bv.fma(FloatVector.broadcast(SPECIES, a3[ao + k]), s3);
            }
            s0.intoArray(c0, j);
            s1.intoArray(c1, j);
            s2.intoArray(c2, j);
            s3.intoArray(c3, j);
        }
        for (; j < width; j++) {
            float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
            for (int k = 0; k < inner; k++) {
                float bkj = b[k][j];
                s0 = Math.fma(a0[ao + k], bkj, s0);
                s1 = Math.fma(a1[ao + k], bkj, s1);
                s2 = Math.fma(a2[ao + k], bkj, s2);
                s3 = Math.fma(a3[ao + k], bkj, s3);
            }
            c0[j] = s0;
            c1[j] = s1;
            c2[j] = s2;
            c3[j] = s3;
        }
    }

    private static void multiplyOne(float[] a0, int ao, float[][] b, float[] c0, int inner, int width) {
        int j = 0;
        for (; j + BLOCK <= width; j += BLOCK) {
            FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0;
            for (int k = 0; k < inner; k++) {
                float[] bk = b[k];
                FloatVector x = FloatVector.broadcast(SPECIES, a0[ao + k]);
                s0 = FloatVector.fromArray(SPECIES, bk, j).fma(x, s0);
                s1 = FloatVector.fromArray(SPECIES, bk, j + LANES).fma(x, s1);
                s2 = FloatVector.fromArray(SPECIES, bk, j + 2 * LANES).fma(x, s2);
                s3 = FloatVector.fromArray(SPECIES, bk, j + 3 * LANES).fma(x, s3);
            }
            s0.intoArray(c0, j);
            s1.intoArray(c0, j + LANES);
            s2.intoArray(c0, j + 2 * LANES);
            s3.intoArray(c0, j + 3 * LANES);
        }
        for (; j + LANES <= width; j += LANES) {
            FloatVector s0 = FloatVector.zero(SPECIES);
            for (int k = 0; k < inner; k++) {
                s0 = FloatVector.fromArray(SPECIES, b[k], j).fma(FloatVector.broadcast(SPECIES, a0[ao + k]), s0);
            }
            s0.intoArray(c0, j);
        }
        for (; j < width; j++) {
            float s0 = 0.0f;
            for (int k = 0; k < inner; k++) {
                s0 = Math.fma(a0[ao + k], b[k][j], s0);
            }
            c0[j] = s0;
        }
    }

    /**
     * {@code g[c][r] (+)= sum over s < m of x[s][xo + c] * u[s][uo + r]} for {@code c < columns}
     * and {@code r < rows}: the weight gradient of a tile, a sum of outer products, one gradient
     * column {@code g[c]} per input element. With {@code fresh} the sums replace the gradient,
     * otherwise they are added to it.
     */
    public static void addOuterProducts(
            float[][] x, int xo, float[][] u, int uo, float[][] g, int m, int columns, int rows, boolean fresh) {
        int c = 0;
        for (; c + 4 <= columns; c += 4) {
            outerFour(x, xo + c, u, uo, g[c], g[c + 1], g[c + 2], g[c + 3], m, rows, fresh);
        }
        for (; c < columns; c++) {
            outerOne(x, xo + c, u, uo, g[c], m, rows, fresh);
        }
    }

    private static void outerFour(
            float[][] x,
            int xc,
            float[][] u,
            int uo,
            float[] g0,
            float[] g1,
            float[] g2,
            float[] g3,
            int m,
            int rows,
            boolean fresh) {
        int r = 0;
        for (; FOUR_BY_FOUR && r + BLOCK <= rows; r += BLOCK) {
            FloatVector s00 = FloatVector.zero(SPECIES), s01 = s00, s02 = s00, s03 = s00;
            FloatVector s10 = s00, s11 = s00, s12 = s00, s13 = s00;
            FloatVector s20 = s00, s21 = s00, s22 = s00, s23 = s00;
            FloatVector s30 = s00, s31 = s00, s32 = s00, s33 = s00;
            for (int s = 0; s < m; s++) {
                float[] xs = x[s];
                float[] us = u[s];
                int at = uo + r;
                FloatVector u0 = FloatVector.fromArray(SPECIES, us, at);
                FloatVector u1 = FloatVector.fromArray(SPECIES, us, at + LANES);
                FloatVector u2 = FloatVector.fromArray(SPECIES, us, at + 2 * LANES);
                FloatVector u3 = FloatVector.fromArray(SPECIES, us, at + 3 * LANES);
                FloatVector v = FloatVector.broadcast(SPECIES, xs[xc]);
                s00 = u0.fma(v, s00);
                s01 = u1.fma(v, s01);
                s02 = u2.fma(v, s02);
                s03 = u3.fma(v, s03);
                v = FloatVector.broadcast(SPECIES, xs[xc + 1]);
                s10 = u0.fma(v, s10);
                s11 = u1.fma(v, s11);
                s12 = u2.fma(v, s12);
                s13 = u3.fma(v, s13);
                v = FloatVector.broadcast(SPECIES, xs[xc + 2]);
                s20 = u0.fma(v, s20);
                s21 = u1.fma(v, s21);
                s22 = u2.fma(v, s22);
                s23 = u3.fma(v, s23);
                v = FloatVector.broadcast(SPECIES, xs[xc + 3]);
                s30 = u0.fma(v, s30);
                s31 = u1.fma(v, s31);
                s32 = u2.fma(v, s32);
                s33 = u3.fma(v, s33);
            }
            if (fresh) {
                s00.intoArray(g0, r);
                s01.intoArray(g0, r + LANES);
                s02.intoArray(g0, r + 2 * LANES);
                s03.intoArray(g0, r + 3 * LANES);
                s10.intoArray(g1, r);
                s11.intoArray(g1, r + LANES);
                s12.intoArray(g1, r + 2 * LANES);
                s13.intoArray(g1, r + 3 * LANES);
                s20.intoArray(g2, r);
                s21.intoArray(g2, r + LANES);
                s22.intoArray(g2, r + 2 * LANES);
                s23.intoArray(g2, r + 3 * LANES);
                s30.intoArray(g3, r);
                s31.intoArray(g3, r + LANES);
                s32.intoArray(g3, r + 2 * LANES);
                s33.intoArray(g3, r + 3 * LANES);
            } else {
                s00.add(FloatVector.fromArray(SPECIES, g0, r)).intoArray(g0, r);
                s01.add(FloatVector.fromArray(SPECIES, g0, r + LANES)).intoArray(g0, r + LANES);
                s02.add(FloatVector.fromArray(SPECIES, g0, r + 2 * LANES)).intoArray(g0, r + 2 * LANES);
                s03.add(FloatVector.fromArray(SPECIES, g0, r + 3 * LANES)).intoArray(g0, r + 3 * LANES);
                s10.add(FloatVector.fromArray(SPECIES, g1, r)).intoArray(g1, r);
                s11.add(FloatVector.fromArray(SPECIES, g1, r + LANES)).intoArray(g1, r + LANES);
                s12.add(FloatVector.fromArray(SPECIES, g1, r + 2 * LANES)).intoArray(g1, r + 2 * LANES);
                s13.add(FloatVector.fromArray(SPECIES, g1, r + 3 * LANES)).intoArray(g1, r + 3 * LANES);
                s20.add(FloatVector.fromArray(SPECIES, g2, r)).intoArray(g2, r);
                s21.add(FloatVector.fromArray(SPECIES, g2, r + LANES)).intoArray(g2, r + LANES);
                s22.add(FloatVector.fromArray(SPECIES, g2, r + 2 * LANES)).intoArray(g2, r + 2 * LANES);
                s23.add(FloatVector.fromArray(SPECIES, g2, r + 3 * LANES)).intoArray(g2, r + 3 * LANES);
                s30.add(FloatVector.fromArray(SPECIES, g3, r)).intoArray(g3, r);
                s31.add(FloatVector.fromArray(SPECIES, g3, r + LANES)).intoArray(g3, r + LANES);
                s32.add(FloatVector.fromArray(SPECIES, g3, r + 2 * LANES)).intoArray(g3, r + 2 * LANES);
                s33.add(FloatVector.fromArray(SPECIES, g3, r + 3 * LANES)).intoArray(g3, r + 3 * LANES);
            }
        }
        for (; r + 2 * LANES <= rows; r += 2 * LANES) {
            FloatVector s00 = FloatVector.zero(SPECIES), s01 = s00;
            FloatVector s10 = s00, s11 = s00, s20 = s00, s21 = s00, s30 = s00, s31 = s00;
            for (int s = 0; s < m; s++) {
                float[] xs = x[s];
                float[] us = u[s];
                int at = uo + r;
                FloatVector u0 = FloatVector.fromArray(SPECIES, us, at);
                FloatVector u1 = FloatVector.fromArray(SPECIES, us, at + LANES);
                FloatVector v = FloatVector.broadcast(SPECIES, xs[xc]);
                s00 = u0.fma(v, s00);
                s01 = u1.fma(v, s01);
                v = FloatVector.broadcast(SPECIES, xs[xc + 1]);
                s10 = u0.fma(v, s10);
                s11 = u1.fma(v, s11);
                v = FloatVector.broadcast(SPECIES, xs[xc + 2]);
                s20 = u0.fma(v, s20);
                s21 = u1.fma(v, s21);
                v = FloatVector.broadcast(SPECIES, xs[xc + 3]);
                s30 = u0.fma(v, s30);
                s31 = u1.fma(v, s31);
            }
            if (fresh) {
                s00.intoArray(g0, r);
                s01.intoArray(g0, r + LANES);
                s10.intoArray(g1, r);
                s11.intoArray(g1, r + LANES);
                s20.intoArray(g2, r);
                s21.intoArray(g2, r + LANES);
                s30.intoArray(g3, r);
                s31.intoArray(g3, r + LANES);
            } else {
                s00.add(FloatVector.fromArray(SPECIES, g0, r)).intoArray(g0, r);
                s01.add(FloatVector.fromArray(SPECIES, g0, r + LANES)).intoArray(g0, r + LANES);
                s10.add(FloatVector.fromArray(SPECIES, g1, r)).intoArray(g1, r);
                s11.add(FloatVector.fromArray(SPECIES, g1, r + LANES)).intoArray(g1, r + LANES);
                s20.add(FloatVector.fromArray(SPECIES, g2, r)).intoArray(g2, r);
                s21.add(FloatVector.fromArray(SPECIES, g2, r + LANES)).intoArray(g2, r + LANES);
                s30.add(FloatVector.fromArray(SPECIES, g3, r)).intoArray(g3, r);
                s31.add(FloatVector.fromArray(SPECIES, g3, r + LANES)).intoArray(g3, r + LANES);
            }
        }
        for (; r + LANES <= rows; r += LANES) {
            FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0;
            for (int s = 0; s < m; s++) {
                float[] xs = x[s];
                FloatVector uv = FloatVector.fromArray(SPECIES, u[s], uo + r);
                s0 = uv.fma(FloatVector.broadcast(SPECIES, xs[xc]), s0);
                s1 = uv.fma(FloatVector.broadcast(SPECIES, xs[xc + 1]), s1);
                s2 = uv.fma(FloatVector.broadcast(SPECIES, xs[xc + 2]), s2);
                s3 = uv.fma(FloatVector.broadcast(SPECIES, xs[xc + 3]), s3);
            }
            if (fresh) {
                s0.intoArray(g0, r);
                s1.intoArray(g1, r);
                s2.intoArray(g2, r);
                s3.intoArray(g3, r);
            } else {
                s0.add(FloatVector.fromArray(SPECIES, g0, r)).intoArray(g0, r);
                s1.add(FloatVector.fromArray(SPECIES, g1, r)).intoArray(g1, r);
                s2.add(FloatVector.fromArray(SPECIES, g2, r)).intoArray(g2, r);
                s3.add(FloatVector.fromArray(SPECIES, g3, r)).intoArray(g3, r);
            }
        }
        for (; r < rows; r++) {
            float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
            for (int s = 0; s < m; s++) {
                float[] xs = x[s];
                float usr = u[s][uo + r];
                s0 = Math.fma(xs[xc], usr, s0);
                s1 = Math.fma(xs[xc + 1], usr, s1);
                s2 = Math.fma(xs[xc + 2], usr, s2);
                s3 = Math.fma(xs[xc + 3], usr, s3);
            }
            g0[r] = fresh ? s0 : g0[r] + s0;
            g1[r] = fresh ? s1 : g1[r] + s1;
            g2[r] = fresh ? s2 : g2[r] + s2;
            g3[r] = fresh ? s3 : g3[r] + s3;
        }
    }

    private static void outerOne(float[][] x, int xc, float[][] u, int uo, float[] g0, int m, int rows, boolean fresh) {
        int r = 0;
        for (; r + BLOCK <= rows; r += BLOCK) {
            FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0;
            for (int s = 0; s < m; s++) {
                float[] us = u[s];
                int at = uo + r;
                FloatVector v = FloatVector.broadcast(SPECIES, x[s][xc]);
                s0 = FloatVector.fromArray(SPECIES, us, at).fma(v, s0);
                s1 = FloatVector.fromArray(SPECIES, us, at + LANES).fma(v, s1);
                s2 = FloatVector.fromArray(SPECIES, us, at + 2 * LANES).fma(v, s2);
                s3 = FloatVector.fromArray(SPECIES, us, at + 3 * LANES).fma(v, s3);
            }
            if (fresh) {
                s0.intoArray(g0, r);
                s1.intoArray(g0, r + LANES);
                s2.intoArray(g0, r + 2 * LANES);
                s3.intoArray(g0, r + 3 * LANES);
            } else {
                s0.add(FloatVector.fromArray(SPECIES, g0, r)).intoArray(g0, r);
                s1.add(FloatVector.fromArray(SPECIES, g0, r + LANES)).intoArray(g0, r + LANES);
                s2.add(FloatVector.fromArray(SPECIES, g0, r + 2 * LANES)).intoArray(g0, r + 2 * LANES);
                s3.add(FloatVector.fromArray(SPECIES, g0, r + 3 * LANES)).intoArray(g0, r + 3 * LANES);
            }
        }
        for (; r + LANES <= rows; r += LANES) {
            FloatVector s0 = FloatVector.zero(SPECIES);
            for (int s = 0; s < m; s++) {
                s0 = FloatVector.fromArray(SPECIES, u[s], uo + r).fma(FloatVector.broadcast(SPECIES, x[s][xc]), s0);
            }
            if (fresh) {
                s0.intoArray(g0, r);
            } else {
                s0.add(FloatVector.fromArray(SPECIES, g0, r)).intoArray(g0, r);
            }
        }
        for (; r < rows; r++) {
            float s0 = 0.0f;
            for (int s = 0; s < m; s++) {
                s0 = Math.fma(x[s][xc], u[s][uo + r], s0);
            }
            g0[r] = fresh ? s0 : g0[r] + s0;
        }
    }

    /**
     * The sum of the squares of {@code a[from]} to {@code a[to - 1]}, in double (a float sum of
     * squares overflows near 1.8e19): the gradient norm's share of one run of a parameter. C2
     * does not vectorise the plain loop, whose float-to-double conversion sits in a reduction.
     */
    public static double sumOfSquares(float[] a, int from, int to) {
        DoubleVector low = DoubleVector.zero(WIDE);
        DoubleVector high = low;
        int i = from;
        for (; i + LANES <= to; i += LANES) {
            FloatVector v = FloatVector.fromArray(SPECIES, a, i);
            DoubleVector first = (DoubleVector) v.convertShape(VectorOperators.F2D, WIDE, 0);
            DoubleVector second = (DoubleVector) v.convertShape(VectorOperators.F2D, WIDE, 1);
            low = first.fma(first, low);
            high = second.fma(second, high);
        }
        double total = low.add(high).reduceLanes(VectorOperators.ADD);
        for (; i < to; i++) {
            total += (double) a[i] * a[i];
        }
        return total;
    }
}
