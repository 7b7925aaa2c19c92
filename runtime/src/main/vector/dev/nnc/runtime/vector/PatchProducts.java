package dev.nnc.runtime.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The products over patches of float convolutions (the forward product, the input gradient and
 * the weight gradient), register-blocked with the Vector API like {@link VectorProducts}, which
 * explains why such blocks beat the plain loops and why each block shape is a method of its own.
 *
 * <p>What differs from {@link VectorProducts#multiply}: the left factor is one flat array read
 * with two strides, because each of the three products reads it differently (a weight {@code
 * [F][C k]} by rows or by columns, an output gradient {@code [F][positions]} by filters or by
 * positions), and the right factor's rows may be longer than the product's width. Generated code
 * allocates the patch rows and the result rows rounded up to whole vectors, so that a plane of
 * 100 outputs runs as seven vectors instead of six and a scalar tail; the columns past the width
 * hold sums over whatever those rows hold there, which the caller never reads.
 *
 * <p>Each element is one chain of fused multiply-adds over {@code k} in order from zero, whichever
 * block computes it, so blocks may overlap: the last four rows of a product with a number of rows
 * that is not a multiple of four run as a block of four that repeats rows of the block before,
 * writing the same bits again, instead of as single rows that would wait for each multiply-add's
 * latency. The result depends only on the inputs and the vector length.
 */
public final class PatchProducts {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    /** Whether four rows by four vectors fit the registers (AVX-512; see {@link VectorProducts}). */
    private static final boolean FOUR_BY_FOUR = LANES >= 16;

    static {
        OperatorCaches.fill();
    }

    private PatchProducts() {}

    /**
     * {@code c[i][j] = sum over k < inner of a[ao + i * rowStride + k * colStride] * b[k][j]} for
     * {@code i < rows} and {@code j < width}; where every row of {@code b} and {@code c} is long
     * enough, the columns up to {@code width} rounded up to whole vectors are computed too.
     */
    public static void multiply(
            float[] a, int ao, int rowStride, int colStride, float[][] b, float[][] c, int rows, int inner, int width) {
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
            float[] a, int ao, int rowStride, float[] x, int[] taps, float[][] c, int rows, int inner, int width) {
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
            if (rows - i == 2) {
                shiftedTwoRows(a, ao + i * rowStride, rowStride, x, taps, c, i, inner, width, vectorWidth);
                return;
            }
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
            float[][] sums, int wp, float[] bias, int bo, float[] out, int oo, int filters, int outH, int outW) {
        int plane = outH * outW;
        int end = oo + filters * plane;
        for (int f = 0; f < filters; f++) {
            float[] s = sums[f];
            float add = bias == null ? 0.0f : bias[bo + f];
            FloatVector b = FloatVector.broadcast(SPECIES, add);
            for (int oy = 0; oy < outH; oy++) {
                int from = oy * wp;
                int to = oo + f * plane + oy * outW;
                if (outW >= LANES) {
                    for (int ox = 0; ox < outW; ox += LANES) {
                        int at = Math.min(ox, outW - LANES);
                        FloatVector v = FloatVector.fromArray(SPECIES, s, from + at);
                        // Without a bias nothing is added: 0 + -0 would store +0.
                        (bias == null ? v : v.add(b)).intoArray(out, to + at);
                    }
                } else if (to + LANES <= end && from + LANES <= s.length) {
                    FloatVector v = FloatVector.fromArray(SPECIES, s, from);
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
    private static int shiftedWidth(float[] x, int[] taps, float[][] c, int rows, int inner, int width) {
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
            float[] a, int p, int rs, float[] x, int[] taps, float[][] c, int i, int inner, int j) {
        FloatVector s00 = FloatVector.zero(SPECIES),
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
            FloatVector b0 = FloatVector.fromArray(SPECIES, x, t);
            FloatVector b1 = FloatVector.fromArray(SPECIES, x, t + LANES);
            FloatVector b2 = FloatVector.fromArray(SPECIES, x, t + 2 * LANES);
            FloatVector b3 = FloatVector.fromArray(SPECIES, x, t + 3 * LANES);
            FloatVector w = FloatVector.broadcast(SPECIES, a[p]);
            s00 = b0.fma(w, s00);
            s01 = b1.fma(w, s01);
            s02 = b2.fma(w, s02);
            s03 = b3.fma(w, s03);
            w = FloatVector.broadcast(SPECIES, a[p + rs]);
            s10 = b0.fma(w, s10);
            s11 = b1.fma(w, s11);
            s12 = b2.fma(w, s12);
            s13 = b3.fma(w, s13);
            w = FloatVector.broadcast(SPECIES, a[p + 2 * rs]);
            s20 = b0.fma(w, s20);
            s21 = b1.fma(w, s21);
            s22 = b2.fma(w, s22);
            s23 = b3.fma(w, s23);
            w = FloatVector.broadcast(SPECIES, a[p + 3 * rs]);
            s30 = b0.fma(w, s30);
            s31 = b1.fma(w, s31);
            s32 = b2.fma(w, s32);
            s33 = b3.fma(w, s33);
        }
        float[] c0 = c[i];
        s00.intoArray(c0, j);
        s01.intoArray(c0, j + LANES);
        s02.intoArray(c0, j + 2 * LANES);
        s03.intoArray(c0, j + 3 * LANES);
        float[] c1 = c[i + 1];
        s10.intoArray(c1, j);
        s11.intoArray(c1, j + LANES);
        s12.intoArray(c1, j + 2 * LANES);
        s13.intoArray(c1, j + 3 * LANES);
        float[] c2 = c[i + 2];
        s20.intoArray(c2, j);
        s21.intoArray(c2, j + LANES);
        s22.intoArray(c2, j + 2 * LANES);
        s23.intoArray(c2, j + 3 * LANES);
        float[] c3 = c[i + 3];
        s30.intoArray(c3, j);
        s31.intoArray(c3, j + LANES);
        s32.intoArray(c3, j + 2 * LANES);
        s33.intoArray(c3, j + 3 * LANES);
    }

    /** Rows {@code i} to {@code i + 3} of {@link #multiplyShifted}, 2 vectors from column {@code j}. */
    private static void shifted4x2(
            float[] a, int p, int rs, float[] x, int[] taps, float[][] c, int i, int inner, int j) {
        FloatVector s00 = FloatVector.zero(SPECIES), s01 = s00, s10 = s00, s11 = s00;
        FloatVector s20 = s00, s21 = s00, s30 = s00, s31 = s00;
        for (int k = 0; k < inner; k++, p++) {
            int t = taps[k] + j;
            FloatVector b0 = FloatVector.fromArray(SPECIES, x, t);
            FloatVector b1 = FloatVector.fromArray(SPECIES, x, t + LANES);
            FloatVector w = FloatVector.broadcast(SPECIES, a[p]);
            s00 = b0.fma(w, s00);
            s01 = b1.fma(w, s01);
            w = FloatVector.broadcast(SPECIES, a[p + rs]);
            s10 = b0.fma(w, s10);
            s11 = b1.fma(w, s11);
            w = FloatVector.broadcast(SPECIES, a[p + 2 * rs]);
            s20 = b0.fma(w, s20);
            s21 = b1.fma(w, s21);
            w = FloatVector.broadcast(SPECIES, a[p + 3 * rs]);
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
            float[] a, int p, int rs, float[] x, int[] taps, float[][] c, int i, int inner, int j) {
        FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0;
        for (int k = 0; k < inner; k++, p++) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, x, taps[k] + j);
            s0 = b0.fma(FloatVector.broadcast(SPECIES, a[p]), s0);
            s1 = b0.fma(FloatVector.broadcast(SPECIES, a[p + rs]), s1);
            s2 = b0.fma(FloatVector.broadcast(SPECIES, a[p + 2 * rs]), s2);
            s3 = b0.fma(FloatVector.broadcast(SPECIES, a[p + 3 * rs]), s3);
        }
        s0.intoArray(c[i], j);
        s1.intoArray(c[i + 1], j);
        s2.intoArray(c[i + 2], j);
        s3.intoArray(c[i + 3], j);
    }

    /**
     * The last two rows of {@link #multiplyShifted} after blocks of four, {@code i} and {@code i +
     * 1}: two rows by four vectors still hold eight independent sums, where the block of four that
     * overlaps the one before (as for one or three rows left) would compute two rows twice, a third
     * of LeNet-5's first convolution (six filters).
     */
    private static void shiftedTwoRows(
            float[] a,
            int p,
            int rs,
            float[] x,
            int[] taps,
            float[][] c,
            int i,
            int inner,
            int width,
            int vectorWidth) {
        int j = 0;
        for (; j + 4 * LANES <= vectorWidth; j += 4 * LANES) {
            shifted2x4(a, p, rs, x, taps, c[i], c[i + 1], inner, j);
        }
        for (; j + LANES <= vectorWidth; j += LANES) {
            shifted1x1(a, p, x, taps, c[i], inner, j);
            shifted1x1(a, p + rs, x, taps, c[i + 1], inner, j);
        }
        for (; j < width; j++) {
            c[i][j] = shiftedScalar(a, p, x, taps, inner, j);
            c[i + 1][j] = shiftedScalar(a, p + rs, x, taps, inner, j);
        }
    }

    /** Rows {@code c0} (factors from {@code a[p]}) and {@code c1} of {@link #multiplyShifted}, 4 vectors from column {@code j}. */
    private static void shifted2x4(
            float[] a, int p, int rs, float[] x, int[] taps, float[] c0, float[] c1, int inner, int j) {
        FloatVector s00 = FloatVector.zero(SPECIES), s01 = s00, s02 = s00, s03 = s00;
        FloatVector s10 = s00, s11 = s00, s12 = s00, s13 = s00;
        for (int k = 0; k < inner; k++, p++) {
            int t = taps[k] + j;
            FloatVector b0 = FloatVector.fromArray(SPECIES, x, t);
            FloatVector b1 = FloatVector.fromArray(SPECIES, x, t + LANES);
            FloatVector b2 = FloatVector.fromArray(SPECIES, x, t + 2 * LANES);
            FloatVector b3 = FloatVector.fromArray(SPECIES, x, t + 3 * LANES);
            FloatVector w = FloatVector.broadcast(SPECIES, a[p]);
            s00 = b0.fma(w, s00);
            s01 = b1.fma(w, s01);
            s02 = b2.fma(w, s02);
            s03 = b3.fma(w, s03);
            w = FloatVector.broadcast(SPECIES, a[p + rs]);
            s10 = b0.fma(w, s10);
            s11 = b1.fma(w, s11);
            s12 = b2.fma(w, s12);
            s13 = b3.fma(w, s13);
        }
        s00.intoArray(c0, j);
        s01.intoArray(c0, j + LANES);
        s02.intoArray(c0, j + 2 * LANES);
        s03.intoArray(c0, j + 3 * LANES);
        s10.intoArray(c1, j);
        s11.intoArray(c1, j + LANES);
        s12.intoArray(c1, j + 2 * LANES);
        s13.intoArray(c1, j + 3 * LANES);
    }

    /** One row ({@code c}) of {@link #multiplyShifted}, 2 vectors from column {@code j}. */
    private static void shifted1x2(float[] a, int p, float[] x, int[] taps, float[] c, int inner, int j) {
        FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0;
        for (int k = 0; k < inner; k++, p++) {
            int t = taps[k] + j;
            FloatVector w = FloatVector.broadcast(SPECIES, a[p]);
            s0 = FloatVector.fromArray(SPECIES, x, t).fma(w, s0);
            s1 = FloatVector.fromArray(SPECIES, x, t + LANES).fma(w, s1);
        }
        s0.intoArray(c, j);
        s1.intoArray(c, j + LANES);
    }

    /** One row ({@code c}) of {@link #multiplyShifted}, 1 vector from column {@code j}. */
    private static void shifted1x1(float[] a, int p, float[] x, int[] taps, float[] c, int inner, int j) {
        FloatVector s0 = FloatVector.zero(SPECIES);
        for (int k = 0; k < inner; k++, p++) {
            s0 = FloatVector.fromArray(SPECIES, x, taps[k] + j).fma(FloatVector.broadcast(SPECIES, a[p]), s0);
        }
        s0.intoArray(c, j);
    }

    /** One element of {@link #multiplyShifted}: the chain of the vector lanes. */
    private static float shiftedScalar(float[] a, int p, float[] x, int[] taps, int inner, int j) {
        float s = 0.0f;
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
            float[] a, int ao, int rowStride, float[][] b, float[][] c, int rows, int count, int length) {
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
            float[] a, int p0, int p1, float[][] b, float[] c0, float[] c1, int k, int whole, int length) {
        float[] b0 = b[k];
        float[] b1 = b[k + 1];
        float[] b2 = b[k + 2];
        float[] b3 = b[k + 3];
        FloatVector s00 = FloatVector.zero(SPECIES),
                s01 = s00,
                s02 = s00,
                s03 = s00,
                s10 = s00,
                s11 = s00,
                s12 = s00,
                s13 = s00;
        for (int o = 0; o < whole; o += LANES) {
            FloatVector x0 = FloatVector.fromArray(SPECIES, a, p0 + o);
            FloatVector x1 = FloatVector.fromArray(SPECIES, a, p1 + o);
            FloatVector w = FloatVector.fromArray(SPECIES, b0, o);
            s00 = x0.fma(w, s00);
            s10 = x1.fma(w, s10);
            w = FloatVector.fromArray(SPECIES, b1, o);
            s01 = x0.fma(w, s01);
            s11 = x1.fma(w, s11);
            w = FloatVector.fromArray(SPECIES, b2, o);
            s02 = x0.fma(w, s02);
            s12 = x1.fma(w, s12);
            w = FloatVector.fromArray(SPECIES, b3, o);
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
    private static float dot(float[] a, int p, float[] b, int whole, int length) {
        FloatVector s = FloatVector.zero(SPECIES);
        for (int o = 0; o < whole; o += LANES) {
            s = FloatVector.fromArray(SPECIES, a, p + o).fma(FloatVector.fromArray(SPECIES, b, o), s);
        }
        return total(s, a, p, b, whole, length);
    }

    /** The lanes of {@code s} added in order, then the positions from {@code whole} fused on in order. */
    private static float total(FloatVector s, float[] a, int p, float[] b, int whole, int length) {
        float sum = s.lane(0);
        for (int l = 1; l < LANES; l++) {
            sum += s.lane(l);
        }
        for (int o = whole; o < length; o++) {
            sum = Math.fma(a[p + o], b[o], sum);
        }
        return sum;
    }

    /**
     * {@code lanes[(i * inner + k) * LANES + l] +=} the sum over {@code j < length / LANES} of
     * {@code a[ao + i * rowStride + j LANES + l] * x[taps[k] + j LANES + l]}, for {@code i < rows},
     * {@code k < inner} and each lane {@code l}: one sample's weight gradient of a convolution of
     * stride 1, kept by lanes. {@code a} holds the output gradient's planes widened to the rows of
     * the padded input ({@code oy Wp + ox}, zero in the columns between and past the last output,
     * {@code length} a whole number of vectors), and {@code x} the padded input, so that the
     * inputs under tap {@code k} of all outputs are one run from the tap's offset, as in {@link
     * #multiplyShifted}: no patches are copied. The sum over the outputs ends in adding a
     * vector's lanes, which {@link #dots} pays for each element and sample; here the lanes are
     * added to the sample's before them and summed once, by {@link #addLaneSums}, after the last.
     *
     * <p>Each lane of each element is one chain of fused multiply-adds over {@code j} from zero,
     * then one addition to {@code lanes}: two samples at half weight therefore add exactly what one
     * sample adds. {@code lanes} holds {@code (rows * inner + 16) * 16} floats: the last 16 vectors'
     * worth are where a block's sums wait to be added ({@link #addBlock}).
     */
    public static void addShiftedLanes(
            float[] a, int ao, int rowStride, float[] x, int[] taps, float[] lanes, int rows, int inner, int length) {
        int end = length - length % LANES;
        int i = 0;
        if (FOUR_BY_FOUR) {
            for (; i + 4 <= rows; i += 4) {
                int p = ao + i * rowStride;
                int k = 0;
                for (; k + 4 <= inner; k += 4) {
                    lanes4x4(a, p, rowStride, x, taps, k, lanes, (i * inner + k) * LANES, inner * LANES, end);
                }
                for (; k < inner; k++) {
                    for (int r = 0; r < 4; r++) {
                        lanes1x1(a, p + r * rowStride, x, taps[k], lanes, ((i + r) * inner + k) * LANES, end);
                    }
                }
            }
        }
        for (; i < rows; i++) {
            int p = ao + i * rowStride;
            int k = 0;
            for (; k + 4 <= inner; k += 4) {
                lanes1x4(a, p, x, taps, k, lanes, (i * inner + k) * LANES, end);
            }
            for (; k < inner; k++) {
                lanes1x1(a, p, x, taps[k], lanes, (i * inner + k) * LANES, end);
            }
        }
    }

    /**
     * {@code g[go + j] +=} the lanes of element {@code j} of {@link #addShiftedLanes}, added in
     * order from the first, for {@code j < count}: the order is the kernel's, not the JIT's (as in
     * {@link #dots}).
     */
    public static void addLaneSums(float[] lanes, int count, float[] g, int go) {
        for (int j = 0; j < count; j++) {
            int q = j * LANES;
            float sum = lanes[q];
            for (int l = 1; l < LANES; l++) {
                sum += lanes[q + l];
            }
            g[go + j] += sum;
        }
    }

    /**
     * Rows {@code i} to {@code i + 3} by taps {@code k} to {@code k + 3} of {@link
     * #addShiftedLanes}, row {@code i}'s factors from {@code a[p]}, their first lanes at {@code
     * lanes[q]}: the sixteen sums are stored where {@link #addBlock} adds them from, which keeps
     * this method small enough for C2 to inline every vector operation of it (adding each sum to
     * its lanes here boxed the vectors).
     */
    private static void lanes4x4(
            float[] a, int p, int rs, float[] x, int[] taps, int k, float[] lanes, int q, int rowStep, int end) {
        int t0 = taps[k];
        int t1 = taps[k + 1];
        int t2 = taps[k + 2];
        int t3 = taps[k + 3];
        FloatVector s00 = FloatVector.zero(SPECIES),
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
        for (int j = 0; j < end; j += LANES) {
            FloatVector x0 = FloatVector.fromArray(SPECIES, x, t0 + j);
            FloatVector x1 = FloatVector.fromArray(SPECIES, x, t1 + j);
            FloatVector x2 = FloatVector.fromArray(SPECIES, x, t2 + j);
            FloatVector x3 = FloatVector.fromArray(SPECIES, x, t3 + j);
            FloatVector w = FloatVector.fromArray(SPECIES, a, p + j);
            s00 = w.fma(x0, s00);
            s01 = w.fma(x1, s01);
            s02 = w.fma(x2, s02);
            s03 = w.fma(x3, s03);
            w = FloatVector.fromArray(SPECIES, a, p + rs + j);
            s10 = w.fma(x0, s10);
            s11 = w.fma(x1, s11);
            s12 = w.fma(x2, s12);
            s13 = w.fma(x3, s13);
            w = FloatVector.fromArray(SPECIES, a, p + 2 * rs + j);
            s20 = w.fma(x0, s20);
            s21 = w.fma(x1, s21);
            s22 = w.fma(x2, s22);
            s23 = w.fma(x3, s23);
            w = FloatVector.fromArray(SPECIES, a, p + 3 * rs + j);
            s30 = w.fma(x0, s30);
            s31 = w.fma(x1, s31);
            s32 = w.fma(x2, s32);
            s33 = w.fma(x3, s33);
        }
        int b = lanes.length - 16 * LANES;
        s00.intoArray(lanes, b);
        s01.intoArray(lanes, b + LANES);
        s02.intoArray(lanes, b + 2 * LANES);
        s03.intoArray(lanes, b + 3 * LANES);
        s10.intoArray(lanes, b + 4 * LANES);
        s11.intoArray(lanes, b + 5 * LANES);
        s12.intoArray(lanes, b + 6 * LANES);
        s13.intoArray(lanes, b + 7 * LANES);
        s20.intoArray(lanes, b + 8 * LANES);
        s21.intoArray(lanes, b + 9 * LANES);
        s22.intoArray(lanes, b + 10 * LANES);
        s23.intoArray(lanes, b + 11 * LANES);
        s30.intoArray(lanes, b + 12 * LANES);
        s31.intoArray(lanes, b + 13 * LANES);
        s32.intoArray(lanes, b + 14 * LANES);
        s33.intoArray(lanes, b + 15 * LANES);
        addBlock(lanes, b, q, rowStep);
    }

    /** The sixteen sums of a block, stored from {@code lanes[b]}, added to their lanes from {@code lanes[q]}. */
    private static void addBlock(float[] lanes, int b, int q, int rowStep) {
        for (int r = 0; r < 4; r++) {
            for (int v = 0; v < 4; v++) {
                int at = q + r * rowStep + v * LANES;
                FloatVector.fromArray(SPECIES, lanes, at)
                        .add(FloatVector.fromArray(SPECIES, lanes, b + (4 * r + v) * LANES))
                        .intoArray(lanes, at);
            }
        }
    }

    /** One row by taps {@code k} to {@code k + 3} of {@link #addShiftedLanes}, the row's factors from {@code a[p]}. */
    private static void lanes1x4(float[] a, int p, float[] x, int[] taps, int k, float[] lanes, int q, int end) {
        int t0 = taps[k];
        int t1 = taps[k + 1];
        int t2 = taps[k + 2];
        int t3 = taps[k + 3];
        FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0;
        for (int j = 0; j < end; j += LANES) {
            FloatVector w = FloatVector.fromArray(SPECIES, a, p + j);
            s0 = w.fma(FloatVector.fromArray(SPECIES, x, t0 + j), s0);
            s1 = w.fma(FloatVector.fromArray(SPECIES, x, t1 + j), s1);
            s2 = w.fma(FloatVector.fromArray(SPECIES, x, t2 + j), s2);
            s3 = w.fma(FloatVector.fromArray(SPECIES, x, t3 + j), s3);
        }
        FloatVector.fromArray(SPECIES, lanes, q).add(s0).intoArray(lanes, q);
        FloatVector.fromArray(SPECIES, lanes, q + LANES).add(s1).intoArray(lanes, q + LANES);
        FloatVector.fromArray(SPECIES, lanes, q + 2 * LANES).add(s2).intoArray(lanes, q + 2 * LANES);
        FloatVector.fromArray(SPECIES, lanes, q + 3 * LANES).add(s3).intoArray(lanes, q + 3 * LANES);
    }

    /** One element of {@link #addShiftedLanes}: the factors from {@code a[p]} and {@code x[t]}. */
    private static void lanes1x1(float[] a, int p, float[] x, int t, float[] lanes, int q, int end) {
        FloatVector s = FloatVector.zero(SPECIES);
        for (int j = 0; j < end; j += LANES) {
            s = FloatVector.fromArray(SPECIES, a, p + j).fma(FloatVector.fromArray(SPECIES, x, t + j), s);
        }
        FloatVector.fromArray(SPECIES, lanes, q).add(s).intoArray(lanes, q);
    }

    /**
     * {@code d[d0 + taps[k] + j] += c[k][j]} for {@code k < rows} and {@code j < width}: the rows of
     * patch gradients of a convolution of stride 1 without padding, computed over the rows of its
     * input ({@code oy W + ox}, as {@link #multiplyShifted} computes outputs), added back under
     * their taps (col2im) as runs of whole vectors instead of element by element. The caller's
     * rows are zero wherever no output lies (the columns between output rows and past the last, up
     * to the row's whole vectors, from an output gradient that is zero there), so whatever a run
     * covers there adds a zero,
     * which leaves every element of {@code d} as it was (a sum that starts at {@code +0} is never
     * {@code -0}). Runs that would pass the end of {@code d} finish by elements.
     */
    public static void addUnderTaps(float[][] c, int[] taps, float[] d, int d0, int rows, int width) {
        for (int k = 0; k < rows; k++) {
            float[] row = c[k];
            int t = d0 + taps[k];
            int whole = Math.min((width + LANES - 1) / LANES * LANES, row.length - row.length % LANES);
            int j = 0;
            for (; j < whole && t + j <= d.length - LANES; j += LANES) {
                FloatVector.fromArray(SPECIES, d, t + j)
                        .add(FloatVector.fromArray(SPECIES, row, j))
                        .intoArray(d, t + j);
            }
            for (; j < width; j++) {
                d[t + j] += row[j];
            }
        }
    }

    /**
     * {@code columns[o][f] = dy[dyo + f * plane + o]} for {@code f < count} and {@code o < plane}:
     * one sample's output gradient, {@code count} planes of {@code plane} positions, as one row per
     * position with every filter's value in it, the right factor of {@link #addTapProducts}.
     */
    public static void transposePlanes(float[] dy, int dyo, int count, int plane, float[][] columns) {
        for (int o = 0; o < plane; o++) {
            float[] column = columns[o];
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
     * ({@link #transposePlanes}). LeNet-5's second convolution spent as long copying its patches by
     * position, 150 floats for each of 100 positions, as multiplying them; here its 16 filters are
     * one vector at AVX-512, and the sums stay by taps, {@code [C k][F]}, until the tile's last
     * sample.
     *
     * <p>Each element is one chain of fused multiply-adds over {@code o} in order from zero, then one
     * addition to {@code sums}, whichever block computes it: two samples at half weight add exactly
     * what one sample adds. Where every row of {@code columns} and {@code sums} holds {@code width}
     * rounded up to whole vectors, the columns past {@code width} are computed too (over whatever
     * {@code columns} holds there); otherwise the columns past the last whole vector are scalar
     * chains in the same order.
     */
    public static void addTapProducts(
            float[] x,
            int xo,
            int[] taps,
            int[] offsets,
            float[][] columns,
            float[][] sums,
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
                float s = 0.0f;
                for (int o = 0; o < inner; o++) {
                    s = Math.fma(x[t + offsets[o]], columns[o][f], s);
                }
                sums[k][f] += s;
            }
        }
    }

    /** Taps {@code k} to {@code k + 7} of {@link #addTapProducts}, one vector of filters from {@code j}. */
    private static void taps8x1(
            float[] x, int xo, int[] taps, int k, int[] offsets, float[][] columns, float[][] sums, int inner, int j) {
        int t0 = xo + taps[k];
        int t1 = xo + taps[k + 1];
        int t2 = xo + taps[k + 2];
        int t3 = xo + taps[k + 3];
        int t4 = xo + taps[k + 4];
        int t5 = xo + taps[k + 5];
        int t6 = xo + taps[k + 6];
        int t7 = xo + taps[k + 7];
        FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
        for (int o = 0; o < inner; o++) {
            int at = offsets[o];
            FloatVector g = FloatVector.fromArray(SPECIES, columns[o], j);
            s0 = g.fma(FloatVector.broadcast(SPECIES, x[t0 + at]), s0);
            s1 = g.fma(FloatVector.broadcast(SPECIES, x[t1 + at]), s1);
            s2 = g.fma(FloatVector.broadcast(SPECIES, x[t2 + at]), s2);
            s3 = g.fma(FloatVector.broadcast(SPECIES, x[t3 + at]), s3);
            s4 = g.fma(FloatVector.broadcast(SPECIES, x[t4 + at]), s4);
            s5 = g.fma(FloatVector.broadcast(SPECIES, x[t5 + at]), s5);
            s6 = g.fma(FloatVector.broadcast(SPECIES, x[t6 + at]), s6);
            s7 = g.fma(FloatVector.broadcast(SPECIES, x[t7 + at]), s7);
        }
        FloatVector.fromArray(SPECIES, sums[k], j).add(s0).intoArray(sums[k], j);
        FloatVector.fromArray(SPECIES, sums[k + 1], j).add(s1).intoArray(sums[k + 1], j);
        FloatVector.fromArray(SPECIES, sums[k + 2], j).add(s2).intoArray(sums[k + 2], j);
        FloatVector.fromArray(SPECIES, sums[k + 3], j).add(s3).intoArray(sums[k + 3], j);
        FloatVector.fromArray(SPECIES, sums[k + 4], j).add(s4).intoArray(sums[k + 4], j);
        FloatVector.fromArray(SPECIES, sums[k + 5], j).add(s5).intoArray(sums[k + 5], j);
        FloatVector.fromArray(SPECIES, sums[k + 6], j).add(s6).intoArray(sums[k + 6], j);
        FloatVector.fromArray(SPECIES, sums[k + 7], j).add(s7).intoArray(sums[k + 7], j);
    }

    /** Taps {@code k} to {@code k + 3} of {@link #addTapProducts}, one vector of filters from {@code j}. */
    private static void taps4x1(
            float[] x, int xo, int[] taps, int k, int[] offsets, float[][] columns, float[][] sums, int inner, int j) {
        int t0 = xo + taps[k];
        int t1 = xo + taps[k + 1];
        int t2 = xo + taps[k + 2];
        int t3 = xo + taps[k + 3];
        FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0;
        for (int o = 0; o < inner; o++) {
            int at = offsets[o];
            FloatVector g = FloatVector.fromArray(SPECIES, columns[o], j);
            s0 = g.fma(FloatVector.broadcast(SPECIES, x[t0 + at]), s0);
            s1 = g.fma(FloatVector.broadcast(SPECIES, x[t1 + at]), s1);
            s2 = g.fma(FloatVector.broadcast(SPECIES, x[t2 + at]), s2);
            s3 = g.fma(FloatVector.broadcast(SPECIES, x[t3 + at]), s3);
        }
        FloatVector.fromArray(SPECIES, sums[k], j).add(s0).intoArray(sums[k], j);
        FloatVector.fromArray(SPECIES, sums[k + 1], j).add(s1).intoArray(sums[k + 1], j);
        FloatVector.fromArray(SPECIES, sums[k + 2], j).add(s2).intoArray(sums[k + 2], j);
        FloatVector.fromArray(SPECIES, sums[k + 3], j).add(s3).intoArray(sums[k + 3], j);
    }

    /** One tap of {@link #addTapProducts}, its inputs from {@code x[t]}, one vector of filters from {@code j}. */
    private static void taps1x1(float[] x, int t, int[] offsets, float[][] columns, float[] sums, int inner, int j) {
        FloatVector s = FloatVector.zero(SPECIES);
        for (int o = 0; o < inner; o++) {
            s = FloatVector.fromArray(SPECIES, columns[o], j).fma(FloatVector.broadcast(SPECIES, x[t + offsets[o]]), s);
        }
        FloatVector.fromArray(SPECIES, sums, j).add(s).intoArray(sums, j);
    }

    /**
     * {@code rows[oy outW + ox][(c kh + ky) kw + kx] = x[xo + c inPlane + (oy sh + ky dh) inW + ox sw
     * + kx]}: one sample's patches by output position (im2col) for a convolution whose window
     * stays inside its input (no padding) and whose taps along a row are adjacent (no dilation
     * across it), so that each patch is {@code C kh} runs of {@code kw} inputs. A run is one vector
     * copied where a whole one fits in both arrays, its lanes past the run landing where the next
     * run is copied afterwards or in the columns past the patch that no product reads; so LeNet-5's
     * runs of five are a load and a store each. Generated code called {@link #copyRun} for each run
     * and measured slower than the loop of five moves: one call per run costs more than the run.
     */
    public static void positionPatches(
            float[] x,
            int xo,
            float[][] rows,
            int channels,
            int inPlane,
            int inW,
            int kh,
            int kw,
            int dh,
            int outH,
            int outW,
            int sh,
            int sw) {
        for (int oy = 0; oy < outH; oy++) {
            for (int ox = 0; ox < outW; ox++) {
                float[] row = rows[oy * outW + ox];
                int base = xo + oy * sh * inW + ox * sw;
                int d = 0;
                for (int c = 0; c < channels; c++) {
                    for (int ky = 0; ky < kh; ky++, d += kw) {
                        int s = base + c * inPlane + ky * dh * inW;
                        if (kw <= LANES && s <= x.length - LANES && d <= row.length - LANES) {
                            FloatVector.fromArray(SPECIES, x, s).intoArray(row, d);
                        } else {
                            copyRun(x, s, row, d, kw);
                        }
                    }
                }
            }
        }
    }

    /**
     * {@code dst[d + i] = src[s + i]} for {@code i < length}: a run of inputs copied into a row
     * of patches (im2col) by whole vectors. Where a whole vector fits in both arrays the last one
     * runs past the run's end, so a run of 10 floats is one load and one store where a loop or
     * {@code System.arraycopy} took ten moves or a call; what it writes there is input that
     * generated code overwrites afterwards (the rest of the patch row, or the next output row's
     * run) or never reads (the columns a patch product computes past its width). Near the end of
     * either array the rest is copied by elements.
     */
    public static void copyRun(float[] src, int s, float[] dst, int d, int length) {
        for (int i = 0; i < length; i += LANES) {
            if (s + i > src.length - LANES || d + i > dst.length - LANES) {
                for (; i < length; i++) {
                    dst[d + i] = src[s + i];
                }
                return;
            }
            FloatVector.fromArray(SPECIES, src, s + i).intoArray(dst, d + i);
        }
    }

    /**
     * The columns that run as whole vectors: {@code width} rounded up to whole vectors where the
     * rows of {@code b} and {@code c} hold that many, rounded down otherwise.
     */
    private static int vectorWidth(float[][] b, float[][] c, int rows, int inner, int width) {
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
            float[] a,
            int p,
            int rowStride,
            int colStride,
            float[][] b,
            float[][] c,
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
            float[] a, int p, int colStride, float[][] b, float[] c, int inner, int width, int vectorWidth) {
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
    private static void block4x4(float[] a, int p, int rs, int cs, float[][] b, float[][] c, int i, int inner, int j) {
        FloatVector s00 = FloatVector.zero(SPECIES),
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
            float[] bk = b[k];
            FloatVector b0 = FloatVector.fromArray(SPECIES, bk, j);
            FloatVector b1 = FloatVector.fromArray(SPECIES, bk, j + LANES);
            FloatVector b2 = FloatVector.fromArray(SPECIES, bk, j + 2 * LANES);
            FloatVector b3 = FloatVector.fromArray(SPECIES, bk, j + 3 * LANES);
            FloatVector x = FloatVector.broadcast(SPECIES, a[p]);
            s00 = b0.fma(x, s00);
            s01 = b1.fma(x, s01);
            s02 = b2.fma(x, s02);
            s03 = b3.fma(x, s03);
            x = FloatVector.broadcast(SPECIES, a[p + rs]);
            s10 = b0.fma(x, s10);
            s11 = b1.fma(x, s11);
            s12 = b2.fma(x, s12);
            s13 = b3.fma(x, s13);
            x = FloatVector.broadcast(SPECIES, a[p + 2 * rs]);
            s20 = b0.fma(x, s20);
            s21 = b1.fma(x, s21);
            s22 = b2.fma(x, s22);
            s23 = b3.fma(x, s23);
            x = FloatVector.broadcast(SPECIES, a[p + 3 * rs]);
            s30 = b0.fma(x, s30);
            s31 = b1.fma(x, s31);
            s32 = b2.fma(x, s32);
            s33 = b3.fma(x, s33);
        }
        float[] c0 = c[i];
        s00.intoArray(c0, j);
        s01.intoArray(c0, j + LANES);
        s02.intoArray(c0, j + 2 * LANES);
        s03.intoArray(c0, j + 3 * LANES);
        float[] c1 = c[i + 1];
        s10.intoArray(c1, j);
        s11.intoArray(c1, j + LANES);
        s12.intoArray(c1, j + 2 * LANES);
        s13.intoArray(c1, j + 3 * LANES);
        float[] c2 = c[i + 2];
        s20.intoArray(c2, j);
        s21.intoArray(c2, j + LANES);
        s22.intoArray(c2, j + 2 * LANES);
        s23.intoArray(c2, j + 3 * LANES);
        float[] c3 = c[i + 3];
        s30.intoArray(c3, j);
        s31.intoArray(c3, j + LANES);
        s32.intoArray(c3, j + 2 * LANES);
        s33.intoArray(c3, j + 3 * LANES);
    }

    /** Rows {@code i} to {@code i + 3}, 2 vectors from column {@code j}. */
    private static void block4x2(float[] a, int p, int rs, int cs, float[][] b, float[][] c, int i, int inner, int j) {
        FloatVector s00 = FloatVector.zero(SPECIES), s01 = s00, s10 = s00, s11 = s00;
        FloatVector s20 = s00, s21 = s00, s30 = s00, s31 = s00;
        for (int k = 0; k < inner; k++, p += cs) {
            float[] bk = b[k];
            FloatVector b0 = FloatVector.fromArray(SPECIES, bk, j);
            FloatVector b1 = FloatVector.fromArray(SPECIES, bk, j + LANES);
            FloatVector x = FloatVector.broadcast(SPECIES, a[p]);
            s00 = b0.fma(x, s00);
            s01 = b1.fma(x, s01);
            x = FloatVector.broadcast(SPECIES, a[p + rs]);
            s10 = b0.fma(x, s10);
            s11 = b1.fma(x, s11);
            x = FloatVector.broadcast(SPECIES, a[p + 2 * rs]);
            s20 = b0.fma(x, s20);
            s21 = b1.fma(x, s21);
            x = FloatVector.broadcast(SPECIES, a[p + 3 * rs]);
            s30 = b0.fma(x, s30);
            s31 = b1.fma(x, s31);
        }
        float[] c0 = c[i];
        s00.intoArray(c0, j);
        s01.intoArray(c0, j + LANES);
        float[] c1 = c[i + 1];
        s10.intoArray(c1, j);
        s11.intoArray(c1, j + LANES);
        float[] c2 = c[i + 2];
        s20.intoArray(c2, j);
        s21.intoArray(c2, j + LANES);
        float[] c3 = c[i + 3];
        s30.intoArray(c3, j);
        s31.intoArray(c3, j + LANES);
    }

    /** Rows {@code i} to {@code i + 3}, 1 vector from column {@code j}. */
    private static void block4x1(float[] a, int p, int rs, int cs, float[][] b, float[][] c, int i, int inner, int j) {
        FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0;
        for (int k = 0; k < inner; k++, p += cs) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, b[k], j);
            s0 = b0.fma(FloatVector.broadcast(SPECIES, a[p]), s0);
            s1 = b0.fma(FloatVector.broadcast(SPECIES, a[p + rs]), s1);
            s2 = b0.fma(FloatVector.broadcast(SPECIES, a[p + 2 * rs]), s2);
            s3 = b0.fma(FloatVector.broadcast(SPECIES, a[p + 3 * rs]), s3);
        }
        s0.intoArray(c[i], j);
        s1.intoArray(c[i + 1], j);
        s2.intoArray(c[i + 2], j);
        s3.intoArray(c[i + 3], j);
    }

    /** One row ({@code c}), 2 vectors from column {@code j}. */
    private static void block1x2(float[] a, int p, int cs, float[][] b, float[] c, int inner, int j) {
        FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0;
        for (int k = 0; k < inner; k++, p += cs) {
            float[] bk = b[k];
            FloatVector x = FloatVector.broadcast(SPECIES, a[p]);
            s0 = FloatVector.fromArray(SPECIES, bk, j).fma(x, s0);
            s1 = FloatVector.fromArray(SPECIES, bk, j + LANES).fma(x, s1);
        }
        s0.intoArray(c, j);
        s1.intoArray(c, j + LANES);
    }

    /** One row ({@code c}), 1 vector from column {@code j}. */
    private static void block1x1(float[] a, int p, int cs, float[][] b, float[] c, int inner, int j) {
        FloatVector s0 = FloatVector.zero(SPECIES);
        for (int k = 0; k < inner; k++, p += cs) {
            s0 = FloatVector.fromArray(SPECIES, b[k], j).fma(FloatVector.broadcast(SPECIES, a[p]), s0);
        }
        s0.intoArray(c, j);
    }

    /** One element, column {@code j} of the row whose factors start at {@code a[p]}: the chain of the vector lanes. */
    private static float scalar(float[] a, int p, int cs, float[][] b, int inner, int j) {
        float s = 0.0f;
        for (int k = 0; k < inner; k++, p += cs) {
            s = Math.fma(a[p], b[k][j], s);
        }
        return s;
    }
}
