package dev.nnc.runtime.vector;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The products over patches of double convolutions: {@link PatchProducts}' kernels, the same
 * blocks, strides, rounding of rows to whole vectors and order of fused multiply-adds, over
 * {@code double[]} (see that class for what each does and why it is shaped so). Double classes
 * call them on their opt-in Vector API path, in training as in prediction: a convolution's three
 * products are most of a small CNN's step, and the plain loops' passes over rows of a few dozen
 * doubles spend more on loads and stores of the sums than on the multiply-adds, which here stay
 * in registers for the whole inner sum.
 *
 * <p>A vector holds half as many doubles as floats, so four rows by four vectors (sixteen sums,
 * four vectors of the right factor, one broadcast: 21 registers) is AVX-512's block, 32 doubles
 * wide; with AVX2's sixteen registers the widest is four by two, as in {@link DoubleProducts}.
 * Each element of a product is one chain of fused multiply-adds over {@code k} in order from
 * zero, whichever block computes it, and each of {@link #dots} sums by lanes added in order, so a
 * sample's result depends only on its inputs and the vector length.
 *
 * <p>Why a second class rather than one over both types: the Vector API's species, vector classes
 * and array accessors are per element type, and C2 keeps a kernel's vectors in registers only where
 * their classes are exact constants; a kernel written once over {@code Vector<E>} would leave that
 * to inlining and profiles that float and double classes share ({@link OperatorCaches}), so the
 * two precisions keep the same code twice, as {@link VectorProducts} and {@link DoubleProducts} do.
 */
public final class DoublePatchProducts {
    private static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    /** Whether four rows by four vectors fit the registers: AVX-512's 32 do, AVX2's 16 do not. */
    private static final boolean FOUR_BY_FOUR = LANES >= 8;

    static {
        OperatorCaches.fill();
    }

    private DoublePatchProducts() {}

    /**
     * {@code c[i][j] = sum over k < inner of a[ao + i * rowStride + k * colStride] * b[k][j]} for
     * {@code i < rows} and {@code j < width}; where every row of {@code b} and {@code c} is long
     * enough, the columns up to {@code width} rounded up to whole vectors are computed too.
     */
    public static void multiply(
            double[] a,
            int ao,
            int rowStride,
            int colStride,
            double[][] b,
            double[][] c,
            int rows,
            int inner,
            int width) {
        int vectorWidth = vectorWidth(b, c, rows, inner, width);
        if (rows < 4) {
            for (int i = 0; i < rows; i++) {
                oneRow(a, ao + i * rowStride, colStride, b, c[i], inner, width, vectorWidth);
            }
            return;
        }
        for (int i = 0; i < rows; i += 4) {
            int first = Math.min(i, rows - 4);
            fourRows(a, ao + first * rowStride, rowStride, colStride, b, c, first, inner, width, vectorWidth);
        }
    }

    /**
     * {@code c[i][j] = sum over k < inner of a[ao + i * rowStride + k] * x[taps[k] + j]} for
     * {@code i < rows} and {@code j < width}: {@link #multiply} with each row of the right factor a
     * run of one array that starts at its tap's offset, so a convolution of stride 1 reads its
     * patches straight from its (padded) input instead of from copies. The input's rows are
     * {@code Wp} apart, so output {@code (oy, ox)} is column {@code oy Wp + ox} and the columns in
     * between are sums the caller never reads. The rows of {@code c} and the runs of {@code x} are
     * rounded up to whole vectors where both are long enough, as in {@link #multiply}; each element
     * is the same chain of fused multiply-adds in order of {@code k} from zero.
     */
    public static void multiplyShifted(
            double[] a, int ao, int rowStride, double[] x, int[] taps, double[][] c, int rows, int inner, int width) {
        int vectorWidth = shiftedWidth(x, taps, c, rows, inner, width);
        if (rows < 4) {
            for (int i = 0; i < rows; i++) {
                int p = ao + i * rowStride;
                int j = 0;
                for (; j + 2 * LANES <= vectorWidth; j += 2 * LANES) {
                    shifted1x2(a, p, x, taps, c[i], inner, j);
                }
                for (; j + LANES <= vectorWidth; j += LANES) {
                    shifted1x1(a, p, x, taps, c[i], inner, j);
                }
                for (; j < width; j++) {
                    c[i][j] = shiftedScalar(a, p, x, taps, inner, j);
                }
            }
            return;
        }
        for (int i = 0; i < rows; i += 4) {
            int first = Math.min(i, rows - 4);
            int p = ao + first * rowStride;
            int j = 0;
            if (FOUR_BY_FOUR) {
                for (; j + 4 * LANES <= vectorWidth; j += 4 * LANES) {
                    shifted4x4(a, p, rowStride, x, taps, c, first, inner, j);
                }
            }
            for (; j + 2 * LANES <= vectorWidth; j += 2 * LANES) {
                shifted4x2(a, p, rowStride, x, taps, c, first, inner, j);
            }
            for (; j + LANES <= vectorWidth; j += LANES) {
                shifted4x1(a, p, rowStride, x, taps, c, first, inner, j);
            }
            for (int r = first; r < first + 4; r++) {
                for (int col = j; col < width; col++) {
                    c[r][col] = shiftedScalar(a, p + (r - first) * rowStride, x, taps, inner, col);
                }
            }
        }
    }

    /**
     * {@code out[oo + f H W + oy W + ox] = sums[f][oy wp + ox]}, plus {@code bias[bo + f]} unless
     * {@code bias} is null, for {@code f < filters}, {@code oy < H} (outH) and {@code ox < W}
     * (outW): the planes of a convolution out of the sums of {@link #multiplyShifted}. A row at
     * least a vector wide runs as vectors whose last one ends at the row's end (overlapping the one
     * before, storing the same values); a narrower row is one vector that runs into the next
     * rows, which are stored after it, except near the end of the planes or of a row of sums,
     * where it is copied by elements.
     */
    public static void storePlanes(
            double[][] sums, int wp, double[] bias, int bo, double[] out, int oo, int filters, int outH, int outW) {
        int plane = outH * outW;
        int end = oo + filters * plane;
        for (int f = 0; f < filters; f++) {
            double[] s = sums[f];
            double add = bias == null ? 0.0 : bias[bo + f];
            DoubleVector b = DoubleVector.broadcast(SPECIES, add);
            for (int oy = 0; oy < outH; oy++) {
                int from = oy * wp;
                int to = oo + f * plane + oy * outW;
                if (outW >= LANES) {
                    for (int ox = 0; ox < outW; ox += LANES) {
                        int at = Math.min(ox, outW - LANES);
                        DoubleVector v = DoubleVector.fromArray(SPECIES, s, from + at);
                        // Without a bias nothing is added: 0 + -0 would store +0.
                        (bias == null ? v : v.add(b)).intoArray(out, to + at);
                    }
                } else if (to + LANES <= end && from + LANES <= s.length) {
                    DoubleVector v = DoubleVector.fromArray(SPECIES, s, from);
                    (bias == null ? v : v.add(b)).intoArray(out, to);
                } else {
                    for (int ox = 0; ox < outW; ox++) {
                        out[to + ox] = bias == null ? s[from + ox] : s[from + ox] + add;
                    }
                }
            }
        }
    }

    /** {@link #vectorWidth} of {@link #multiplyShifted}: whole vectors past the width where every run and row has room. */
    private static int shiftedWidth(double[] x, int[] taps, double[][] c, int rows, int inner, int width) {
        int padded = (width + LANES - 1) / LANES * LANES;
        int end = 0;
        for (int k = 0; k < inner; k++) {
            end = Math.max(end, taps[k] + padded);
        }
        for (int i = 0; i < rows; i++) {
            if (c[i].length < padded) {
                end = Integer.MAX_VALUE;
            }
        }
        return end <= x.length ? padded : width - width % LANES;
    }

    /** Rows {@code i} to {@code i + 3} of {@link #multiplyShifted}, 4 vectors from column {@code j}. */
    private static void shifted4x4(
            double[] a, int p, int rs, double[] x, int[] taps, double[][] c, int i, int inner, int j) {
        DoubleVector s00 = DoubleVector.zero(SPECIES),
                s01 = s00,
                s02 = s00,
                s03 = s00,
                s10 = s00,
                s11 = s00,
                s12 = s00,
                s13 = s00,
                s20 = s00,
                s21 = s00,
                s22 = s00,
                s23 = s00,
                s30 = s00,
                s31 = s00,
                s32 = s00,
                s33 = s00;
        for (int k = 0; k < inner; k++, p++) {
            int t = taps[k] + j;
            DoubleVector b0 = DoubleVector.fromArray(SPECIES, x, t);
            DoubleVector b1 = DoubleVector.fromArray(SPECIES, x, t + LANES);
            DoubleVector b2 = DoubleVector.fromArray(SPECIES, x, t + 2 * LANES);
            DoubleVector b3 = DoubleVector.fromArray(SPECIES, x, t + 3 * LANES);
            DoubleVector w = DoubleVector.broadcast(SPECIES, a[p]);
            s00 = b0.fma(w, s00);
            s01 = b1.fma(w, s01);
            s02 = b2.fma(w, s02);
            s03 = b3.fma(w, s03);
            w = DoubleVector.broadcast(SPECIES, a[p + rs]);
            s10 = b0.fma(w, s10);
            s11 = b1.fma(w, s11);
            s12 = b2.fma(w, s12);
            s13 = b3.fma(w, s13);
            w = DoubleVector.broadcast(SPECIES, a[p + 2 * rs]);
            s20 = b0.fma(w, s20);
            s21 = b1.fma(w, s21);
            s22 = b2.fma(w, s22);
            s23 = b3.fma(w, s23);
            w = DoubleVector.broadcast(SPECIES, a[p + 3 * rs]);
            s30 = b0.fma(w, s30);
            s31 = b1.fma(w, s31);
            s32 = b2.fma(w, s32);
            s33 = b3.fma(w, s33);
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

    /** Rows {@code i} to {@code i + 3} of {@link #multiplyShifted}, 2 vectors from column {@code j}. */
    private static void shifted4x2(
            double[] a, int p, int rs, double[] x, int[] taps, double[][] c, int i, int inner, int j) {
        DoubleVector s00 = DoubleVector.zero(SPECIES), s01 = s00, s10 = s00, s11 = s00;
        DoubleVector s20 = s00, s21 = s00, s30 = s00, s31 = s00;
        for (int k = 0; k < inner; k++, p++) {
            int t = taps[k] + j;
            DoubleVector b0 = DoubleVector.fromArray(SPECIES, x, t);
            DoubleVector b1 = DoubleVector.fromArray(SPECIES, x, t + LANES);
            DoubleVector w = DoubleVector.broadcast(SPECIES, a[p]);
            s00 = b0.fma(w, s00);
            s01 = b1.fma(w, s01);
            w = DoubleVector.broadcast(SPECIES, a[p + rs]);
            s10 = b0.fma(w, s10);
            s11 = b1.fma(w, s11);
            w = DoubleVector.broadcast(SPECIES, a[p + 2 * rs]);
            s20 = b0.fma(w, s20);
            s21 = b1.fma(w, s21);
            w = DoubleVector.broadcast(SPECIES, a[p + 3 * rs]);
            s30 = b0.fma(w, s30);
            s31 = b1.fma(w, s31);
        }
        s00.intoArray(c[i], j);
        s01.intoArray(c[i], j + LANES);
        s10.intoArray(c[i + 1], j);
        s11.intoArray(c[i + 1], j + LANES);
        s20.intoArray(c[i + 2], j);
        s21.intoArray(c[i + 2], j + LANES);
        s30.intoArray(c[i + 3], j);
        s31.intoArray(c[i + 3], j + LANES);
    }

    /** Rows {@code i} to {@code i + 3} of {@link #multiplyShifted}, 1 vector from column {@code j}. */
    private static void shifted4x1(
            double[] a, int p, int rs, double[] x, int[] taps, double[][] c, int i, int inner, int j) {
        DoubleVector s0 = DoubleVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0;
        for (int k = 0; k < inner; k++, p++) {
            DoubleVector b0 = DoubleVector.fromArray(SPECIES, x, taps[k] + j);
            s0 = b0.fma(DoubleVector.broadcast(SPECIES, a[p]), s0);
            s1 = b0.fma(DoubleVector.broadcast(SPECIES, a[p + rs]), s1);
            s2 = b0.fma(DoubleVector.broadcast(SPECIES, a[p + 2 * rs]), s2);
            s3 = b0.fma(DoubleVector.broadcast(SPECIES, a[p + 3 * rs]), s3);
        }
        s0.intoArray(c[i], j);
        s1.intoArray(c[i + 1], j);
        s2.intoArray(c[i + 2], j);
        s3.intoArray(c[i + 3], j);
    }

    /** One row ({@code c}) of {@link #multiplyShifted}, 2 vectors from column {@code j}. */
    private static void shifted1x2(double[] a, int p, double[] x, int[] taps, double[] c, int inner, int j) {
        DoubleVector s0 = DoubleVector.zero(SPECIES), s1 = s0;
        for (int k = 0; k < inner; k++, p++) {
            int t = taps[k] + j;
            DoubleVector w = DoubleVector.broadcast(SPECIES, a[p]);
            s0 = DoubleVector.fromArray(SPECIES, x, t).fma(w, s0);
            s1 = DoubleVector.fromArray(SPECIES, x, t + LANES).fma(w, s1);
        }
        s0.intoArray(c, j);
        s1.intoArray(c, j + LANES);
    }

    /** One row ({@code c}) of {@link #multiplyShifted}, 1 vector from column {@code j}. */
    private static void shifted1x1(double[] a, int p, double[] x, int[] taps, double[] c, int inner, int j) {
        DoubleVector s0 = DoubleVector.zero(SPECIES);
        for (int k = 0; k < inner; k++, p++) {
            s0 = DoubleVector.fromArray(SPECIES, x, taps[k] + j).fma(DoubleVector.broadcast(SPECIES, a[p]), s0);
        }
        s0.intoArray(c, j);
    }

    /** One element of {@link #multiplyShifted}: the chain of the vector lanes. */
    private static double shiftedScalar(double[] a, int p, double[] x, int[] taps, int inner, int j) {
        double s = 0.0;
        for (int k = 0; k < inner; k++, p++) {
            s = Math.fma(a[p], x[taps[k] + j], s);
        }
        return s;
    }

    /**
     * {@code c[i][k] = sum over o < length of a[ao + i * rowStride + o] * b[k][o]} for {@code i <
     * rows} and {@code k < count}: a table of dot products along rows, the weight gradient of a
     * convolution with short patches from the output gradient's planes ({@code a}) and the patches
     * by tap ({@code b}, rows of the plane). {@link #multiply} would need the patches by position
     * instead, and with patches as short as LeNet-5's first convolution's (25 taps) their copy runs
     * down columns and costs more than the product; the rows of the plane are copied in runs.
     *
     * <p>Each element sums by lanes: lane {@code l} is the chain of fused multiply-adds of
     * positions {@code l, l + LANES, ...} from zero; the lanes are then added in order from the
     * first, and the positions past the last whole vector fused onto that in order. So the result
     * depends only on the inputs and the vector length (a {@code reduceLanes} would leave the order
     * of the lanes to the JIT). Blocks of two rows by four columns share their loads; a last row
     * alone repeats the row before it, writing the same bits again.
     */
    public static void dots(
            double[] a, int ao, int rowStride, double[][] b, double[][] c, int rows, int count, int length) {
        int whole = length - length % LANES;
        if (rows < 2) {
            for (int i = 0; i < rows; i++) {
                for (int k = 0; k < count; k++) {
                    c[i][k] = dot(a, ao + i * rowStride, b[k], whole, length);
                }
            }
            return;
        }
        for (int i = 0; i < rows; i += 2) {
            int first = Math.min(i, rows - 2);
            int p = ao + first * rowStride;
            int k = 0;
            for (; k + 4 <= count; k += 4) {
                dots2x4(a, p, p + rowStride, b, c[first], c[first + 1], k, whole, length);
            }
            for (; k < count; k++) {
                c[first][k] = dot(a, p, b[k], whole, length);
                c[first + 1][k] = dot(a, p + rowStride, b[k], whole, length);
            }
        }
    }

    /** Columns {@code k} to {@code k + 3} of rows {@code c0} (factors from {@code a[p0]}) and {@code c1} (from {@code a[p1]}). */
    private static void dots2x4(
            double[] a, int p0, int p1, double[][] b, double[] c0, double[] c1, int k, int whole, int length) {
        double[] b0 = b[k];
        double[] b1 = b[k + 1];
        double[] b2 = b[k + 2];
        double[] b3 = b[k + 3];
        DoubleVector s00 = DoubleVector.zero(SPECIES),
                s01 = s00,
                s02 = s00,
                s03 = s00,
                s10 = s00,
                s11 = s00,
                s12 = s00,
                s13 = s00;
        for (int o = 0; o < whole; o += LANES) {
            DoubleVector x0 = DoubleVector.fromArray(SPECIES, a, p0 + o);
            DoubleVector x1 = DoubleVector.fromArray(SPECIES, a, p1 + o);
            DoubleVector w = DoubleVector.fromArray(SPECIES, b0, o);
            s00 = x0.fma(w, s00);
            s10 = x1.fma(w, s10);
            w = DoubleVector.fromArray(SPECIES, b1, o);
            s01 = x0.fma(w, s01);
            s11 = x1.fma(w, s11);
            w = DoubleVector.fromArray(SPECIES, b2, o);
            s02 = x0.fma(w, s02);
            s12 = x1.fma(w, s12);
            w = DoubleVector.fromArray(SPECIES, b3, o);
            s03 = x0.fma(w, s03);
            s13 = x1.fma(w, s13);
        }
        c0[k] = total(s00, a, p0, b0, whole, length);
        c0[k + 1] = total(s01, a, p0, b1, whole, length);
        c0[k + 2] = total(s02, a, p0, b2, whole, length);
        c0[k + 3] = total(s03, a, p0, b3, whole, length);
        c1[k] = total(s10, a, p1, b0, whole, length);
        c1[k + 1] = total(s11, a, p1, b1, whole, length);
        c1[k + 2] = total(s12, a, p1, b2, whole, length);
        c1[k + 3] = total(s13, a, p1, b3, whole, length);
    }

    /** One element of {@link #dots}: the factors from {@code a[p]} and {@code b}. */
    private static double dot(double[] a, int p, double[] b, int whole, int length) {
        DoubleVector s = DoubleVector.zero(SPECIES);
        for (int o = 0; o < whole; o += LANES) {
            s = DoubleVector.fromArray(SPECIES, a, p + o).fma(DoubleVector.fromArray(SPECIES, b, o), s);
        }
        return total(s, a, p, b, whole, length);
    }

    /** The lanes of {@code s} added in order, then the positions from {@code whole} fused on in order. */
    private static double total(DoubleVector s, double[] a, int p, double[] b, int whole, int length) {
        double sum = s.lane(0);
        for (int l = 1; l < LANES; l++) {
            sum += s.lane(l);
        }
        for (int o = whole; o < length; o++) {
            sum = Math.fma(a[p + o], b[o], sum);
        }
        return sum;
    }

    /**
     * {@code columns[o][f] = dy[dyo + f * plane + o]} for {@code f < count} and {@code o < plane}:
     * one sample's output gradient, {@code count} planes of {@code plane} positions, as one row per
     * position with every filter's value in it, the right factor of {@link #addTapProducts}.
     */
    public static void transposePlanes(double[] dy, int dyo, int count, int plane, double[][] columns) {
        for (int o = 0; o < plane; o++) {
            double[] column = columns[o];
            for (int f = 0, at = dyo + o; f < count; f++, at += plane) {
                column[f] = dy[at];
            }
        }
    }

    /**
     * {@code sums[k][f] +=} the sum over {@code o < inner} of {@code x[xo + taps[k] + offsets[o]] *
     * columns[o][f]}, for {@code k < rows} and {@code f < width}: one sample's weight gradient of a
     * convolution by taps, with its filters along the vectors. {@code x} is the input (or its
     * padded copy), {@code taps[k]} the offset of tap {@code k} in it and {@code offsets[o]} that
     * of output position {@code o}'s window, so that each input under a tap is read where it lies
     * and broadcast, and no patches are copied; {@code columns} is the output gradient by position
     * ({@link #transposePlanes}): {@link PatchProducts#addTapProducts} over doubles, where the digits
     * CNN's second convolution has 32 filters, four vectors at AVX-512.
     *
     * <p>Each element is one chain of fused multiply-adds over {@code o} in order from zero, then one
     * addition to {@code sums}, whichever block computes it: two samples at half weight add exactly
     * what one sample adds. Where every row of {@code columns} and {@code sums} holds {@code width}
     * rounded up to whole vectors, the columns past {@code width} are computed too (over whatever
     * {@code columns} holds there); otherwise the columns past the last whole vector are scalar
     * chains in the same order.
     */
    public static void addTapProducts(
            double[] x,
            int xo,
            int[] taps,
            int[] offsets,
            double[][] columns,
            double[][] sums,
            int rows,
            int inner,
            int width) {
        int vectorWidth = vectorWidth(columns, sums, rows, inner, width);
        for (int j = 0; j < vectorWidth; j += LANES) {
            int k = 0;
            for (; k + 8 <= rows; k += 8) {
                taps8x1(x, xo, taps, k, offsets, columns, sums, inner, j);
            }
            for (; k + 4 <= rows; k += 4) {
                taps4x1(x, xo, taps, k, offsets, columns, sums, inner, j);
            }
            for (; k < rows; k++) {
                taps1x1(x, xo + taps[k], offsets, columns, sums[k], inner, j);
            }
        }
        for (int k = 0; k < rows; k++) {
            int t = xo + taps[k];
            for (int f = vectorWidth; f < width; f++) {
                double s = 0.0;
                for (int o = 0; o < inner; o++) {
                    s = Math.fma(x[t + offsets[o]], columns[o][f], s);
                }
                sums[k][f] += s;
            }
        }
    }

    /** Taps {@code k} to {@code k + 7} of {@link #addTapProducts}, one vector of filters from {@code j}. */
    private static void taps8x1(
            double[] x,
            int xo,
            int[] taps,
            int k,
            int[] offsets,
            double[][] columns,
            double[][] sums,
            int inner,
            int j) {
        int t0 = xo + taps[k];
        int t1 = xo + taps[k + 1];
        int t2 = xo + taps[k + 2];
        int t3 = xo + taps[k + 3];
        int t4 = xo + taps[k + 4];
        int t5 = xo + taps[k + 5];
        int t6 = xo + taps[k + 6];
        int t7 = xo + taps[k + 7];
        DoubleVector s0 = DoubleVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
        for (int o = 0; o < inner; o++) {
            int at = offsets[o];
            DoubleVector g = DoubleVector.fromArray(SPECIES, columns[o], j);
            s0 = g.fma(DoubleVector.broadcast(SPECIES, x[t0 + at]), s0);
            s1 = g.fma(DoubleVector.broadcast(SPECIES, x[t1 + at]), s1);
            s2 = g.fma(DoubleVector.broadcast(SPECIES, x[t2 + at]), s2);
            s3 = g.fma(DoubleVector.broadcast(SPECIES, x[t3 + at]), s3);
            s4 = g.fma(DoubleVector.broadcast(SPECIES, x[t4 + at]), s4);
            s5 = g.fma(DoubleVector.broadcast(SPECIES, x[t5 + at]), s5);
            s6 = g.fma(DoubleVector.broadcast(SPECIES, x[t6 + at]), s6);
            s7 = g.fma(DoubleVector.broadcast(SPECIES, x[t7 + at]), s7);
        }
        DoubleVector.fromArray(SPECIES, sums[k], j).add(s0).intoArray(sums[k], j);
        DoubleVector.fromArray(SPECIES, sums[k + 1], j).add(s1).intoArray(sums[k + 1], j);
        DoubleVector.fromArray(SPECIES, sums[k + 2], j).add(s2).intoArray(sums[k + 2], j);
        DoubleVector.fromArray(SPECIES, sums[k + 3], j).add(s3).intoArray(sums[k + 3], j);
        DoubleVector.fromArray(SPECIES, sums[k + 4], j).add(s4).intoArray(sums[k + 4], j);
        DoubleVector.fromArray(SPECIES, sums[k + 5], j).add(s5).intoArray(sums[k + 5], j);
        DoubleVector.fromArray(SPECIES, sums[k + 6], j).add(s6).intoArray(sums[k + 6], j);
        DoubleVector.fromArray(SPECIES, sums[k + 7], j).add(s7).intoArray(sums[k + 7], j);
    }

    /** Taps {@code k} to {@code k + 3} of {@link #addTapProducts}, one vector of filters from {@code j}. */
    private static void taps4x1(
            double[] x,
            int xo,
            int[] taps,
            int k,
            int[] offsets,
            double[][] columns,
            double[][] sums,
            int inner,
            int j) {
        int t0 = xo + taps[k];
        int t1 = xo + taps[k + 1];
        int t2 = xo + taps[k + 2];
        int t3 = xo + taps[k + 3];
        DoubleVector s0 = DoubleVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0;
        for (int o = 0; o < inner; o++) {
            int at = offsets[o];
            DoubleVector g = DoubleVector.fromArray(SPECIES, columns[o], j);
            s0 = g.fma(DoubleVector.broadcast(SPECIES, x[t0 + at]), s0);
            s1 = g.fma(DoubleVector.broadcast(SPECIES, x[t1 + at]), s1);
            s2 = g.fma(DoubleVector.broadcast(SPECIES, x[t2 + at]), s2);
            s3 = g.fma(DoubleVector.broadcast(SPECIES, x[t3 + at]), s3);
        }
        DoubleVector.fromArray(SPECIES, sums[k], j).add(s0).intoArray(sums[k], j);
        DoubleVector.fromArray(SPECIES, sums[k + 1], j).add(s1).intoArray(sums[k + 1], j);
        DoubleVector.fromArray(SPECIES, sums[k + 2], j).add(s2).intoArray(sums[k + 2], j);
        DoubleVector.fromArray(SPECIES, sums[k + 3], j).add(s3).intoArray(sums[k + 3], j);
    }

    /** One tap of {@link #addTapProducts}, its inputs from {@code x[t]}, one vector of filters from {@code j}. */
    private static void taps1x1(double[] x, int t, int[] offsets, double[][] columns, double[] sums, int inner, int j) {
        DoubleVector s = DoubleVector.zero(SPECIES);
        for (int o = 0; o < inner; o++) {
            s = DoubleVector.fromArray(SPECIES, columns[o], j)
                    .fma(DoubleVector.broadcast(SPECIES, x[t + offsets[o]]), s);
        }
        DoubleVector.fromArray(SPECIES, sums, j).add(s).intoArray(sums, j);
    }

    /**
     * {@code dst[d + i] = src[s + i]} for {@code i < length}: a run of inputs copied into a row
     * of patches (im2col) by whole vectors. Where a whole vector fits in both arrays the last one
     * runs past the run's end, so a run of 6 doubles is one load and one store where a loop or
     * {@code System.arraycopy} took six moves or a call; what it writes there is input that
     * generated code overwrites afterwards (the rest of the patch row, or the next output row's
     * run) or never reads (the columns a patch product computes past its width). Near the end of
     * either array the rest is copied by elements.
     */
    public static void copyRun(double[] src, int s, double[] dst, int d, int length) {
        for (int i = 0; i < length; i += LANES) {
            if (s + i > src.length - LANES || d + i > dst.length - LANES) {
                for (; i < length; i++) {
                    dst[d + i] = src[s + i];
                }
                return;
            }
            DoubleVector.fromArray(SPECIES, src, s + i).intoArray(dst, d + i);
        }
    }

    /**
     * The columns that run as whole vectors: {@code width} rounded up to whole vectors where the
     * rows of {@code b} and {@code c} hold that many, rounded down otherwise.
     */
    private static int vectorWidth(double[][] b, double[][] c, int rows, int inner, int width) {
        int padded = (width + LANES - 1) / LANES * LANES;
        for (int k = 0; k < inner; k++) {
            if (b[k].length < padded) {
                return width - width % LANES;
            }
        }
        for (int i = 0; i < rows; i++) {
            if (c[i].length < padded) {
                return width - width % LANES;
            }
        }
        return padded;
    }

    private static void fourRows(
            double[] a,
            int p,
            int rowStride,
            int colStride,
            double[][] b,
            double[][] c,
            int i,
            int inner,
            int width,
            int vectorWidth) {
        int j = 0;
        if (FOUR_BY_FOUR) {
            for (; j + 4 * LANES <= vectorWidth; j += 4 * LANES) {
                block4x4(a, p, rowStride, colStride, b, c, i, inner, j);
            }
        }
        for (; j + 2 * LANES <= vectorWidth; j += 2 * LANES) {
            block4x2(a, p, rowStride, colStride, b, c, i, inner, j);
        }
        for (; j + LANES <= vectorWidth; j += LANES) {
            block4x1(a, p, rowStride, colStride, b, c, i, inner, j);
        }
        for (int r = i; r < i + 4; r++) {
            for (int col = j; col < width; col++) {
                c[r][col] = scalar(a, p + (r - i) * rowStride, colStride, b, inner, col);
            }
        }
    }

    private static void oneRow(
            double[] a, int p, int colStride, double[][] b, double[] c, int inner, int width, int vectorWidth) {
        int j = 0;
        for (; j + 2 * LANES <= vectorWidth; j += 2 * LANES) {
            block1x2(a, p, colStride, b, c, inner, j);
        }
        for (; j + LANES <= vectorWidth; j += LANES) {
            block1x1(a, p, colStride, b, c, inner, j);
        }
        for (; j < width; j++) {
            c[j] = scalar(a, p, colStride, b, inner, j);
        }
    }

    /** Rows {@code i} to {@code i + 3}, 4 vectors from column {@code j}; row {@code i}'s factors start at {@code a[p]}. */
    private static void block4x4(
            double[] a, int p, int rs, int cs, double[][] b, double[][] c, int i, int inner, int j) {
        DoubleVector s00 = DoubleVector.zero(SPECIES),
                s01 = s00,
                s02 = s00,
                s03 = s00,
                s10 = s00,
                s11 = s00,
                s12 = s00,
                s13 = s00,
                s20 = s00,
                s21 = s00,
                s22 = s00,
                s23 = s00,
                s30 = s00,
                s31 = s00,
                s32 = s00,
                s33 = s00;
        for (int k = 0; k < inner; k++, p += cs) {
            double[] bk = b[k];
            DoubleVector b0 = DoubleVector.fromArray(SPECIES, bk, j);
            DoubleVector b1 = DoubleVector.fromArray(SPECIES, bk, j + LANES);
            DoubleVector b2 = DoubleVector.fromArray(SPECIES, bk, j + 2 * LANES);
            DoubleVector b3 = DoubleVector.fromArray(SPECIES, bk, j + 3 * LANES);
            DoubleVector x = DoubleVector.broadcast(SPECIES, a[p]);
            s00 = b0.fma(x, s00);
            s01 = b1.fma(x, s01);
            s02 = b2.fma(x, s02);
            s03 = b3.fma(x, s03);
            x = DoubleVector.broadcast(SPECIES, a[p + rs]);
            s10 = b0.fma(x, s10);
            s11 = b1.fma(x, s11);
            s12 = b2.fma(x, s12);
            s13 = b3.fma(x, s13);
            x = DoubleVector.broadcast(SPECIES, a[p + 2 * rs]);
            s20 = b0.fma(x, s20);
            s21 = b1.fma(x, s21);
            s22 = b2.fma(x, s22);
            s23 = b3.fma(x, s23);
            x = DoubleVector.broadcast(SPECIES, a[p + 3 * rs]);
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

    /** Rows {@code i} to {@code i + 3}, 2 vectors from column {@code j}. */
    private static void block4x2(
            double[] a, int p, int rs, int cs, double[][] b, double[][] c, int i, int inner, int j) {
        DoubleVector s00 = DoubleVector.zero(SPECIES), s01 = s00, s10 = s00, s11 = s00;
        DoubleVector s20 = s00, s21 = s00, s30 = s00, s31 = s00;
        for (int k = 0; k < inner; k++, p += cs) {
            double[] bk = b[k];
            DoubleVector b0 = DoubleVector.fromArray(SPECIES, bk, j);
            DoubleVector b1 = DoubleVector.fromArray(SPECIES, bk, j + LANES);
            DoubleVector x = DoubleVector.broadcast(SPECIES, a[p]);
            s00 = b0.fma(x, s00);
            s01 = b1.fma(x, s01);
            x = DoubleVector.broadcast(SPECIES, a[p + rs]);
            s10 = b0.fma(x, s10);
            s11 = b1.fma(x, s11);
            x = DoubleVector.broadcast(SPECIES, a[p + 2 * rs]);
            s20 = b0.fma(x, s20);
            s21 = b1.fma(x, s21);
            x = DoubleVector.broadcast(SPECIES, a[p + 3 * rs]);
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

    /** Rows {@code i} to {@code i + 3}, 1 vector from column {@code j}. */
    private static void block4x1(
            double[] a, int p, int rs, int cs, double[][] b, double[][] c, int i, int inner, int j) {
        DoubleVector s0 = DoubleVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0;
        for (int k = 0; k < inner; k++, p += cs) {
            DoubleVector b0 = DoubleVector.fromArray(SPECIES, b[k], j);
            s0 = b0.fma(DoubleVector.broadcast(SPECIES, a[p]), s0);
            s1 = b0.fma(DoubleVector.broadcast(SPECIES, a[p + rs]), s1);
            s2 = b0.fma(DoubleVector.broadcast(SPECIES, a[p + 2 * rs]), s2);
            s3 = b0.fma(DoubleVector.broadcast(SPECIES, a[p + 3 * rs]), s3);
        }
        s0.intoArray(c[i], j);
        s1.intoArray(c[i + 1], j);
        s2.intoArray(c[i + 2], j);
        s3.intoArray(c[i + 3], j);
    }

    /** One row ({@code c}), 2 vectors from column {@code j}. */
    private static void block1x2(double[] a, int p, int cs, double[][] b, double[] c, int inner, int j) {
        DoubleVector s0 = DoubleVector.zero(SPECIES), s1 = s0;
        for (int k = 0; k < inner; k++, p += cs) {
            double[] bk = b[k];
            DoubleVector x = DoubleVector.broadcast(SPECIES, a[p]);
            s0 = DoubleVector.fromArray(SPECIES, bk, j).fma(x, s0);
            s1 = DoubleVector.fromArray(SPECIES, bk, j + LANES).fma(x, s1);
        }
        s0.intoArray(c, j);
        s1.intoArray(c, j + LANES);
    }

    /** One row ({@code c}), 1 vector from column {@code j}. */
    private static void block1x1(double[] a, int p, int cs, double[][] b, double[] c, int inner, int j) {
        DoubleVector s0 = DoubleVector.zero(SPECIES);
        for (int k = 0; k < inner; k++, p += cs) {
            s0 = DoubleVector.fromArray(SPECIES, b[k], j).fma(DoubleVector.broadcast(SPECIES, a[p]), s0);
        }
        s0.intoArray(c, j);
    }

    /** One element, column {@code j} of the row whose factors start at {@code a[p]}: the chain of the vector lanes. */
    private static double scalar(double[] a, int p, int cs, double[][] b, int inner, int j) {
        double s = 0.0;
        for (int k = 0; k < inner; k++, p += cs) {
            s = Math.fma(a[p], b[k][j], s);
        }
        return s;
    }
}
