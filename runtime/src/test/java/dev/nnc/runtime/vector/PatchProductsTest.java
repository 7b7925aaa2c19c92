package dev.nnc.runtime.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The products over patches against a chain of fused multiply-adds per element, in order of
 * {@code k} from zero: bit for bit, which is what makes the overlapping blocks of the last rows
 * harmless and a convolution's result independent of where its rows fall. Shapes reach blocks of
 * four, two and one vectors, rows in fours, overlapping fours and single rows, both strides of
 * the left factor, rows rounded up to whole vectors and rows that are not (a scalar tail). The
 * build runs these tests at the machine's vector length and at 256 and 128 bits too.
 */
class PatchProductsTest {
    private static final int LANES = VectorProducts.lanes();
    private static final int[] WIDTHS = {
        1, 3, LANES - 1, LANES, LANES + 3, 2 * LANES, 3 * LANES + 1, 4 * LANES, 7 * LANES + 4
    };
    private static final int[] ROWS = {1, 2, 3, 4, 5, 6, 8, 11};
    private static final int[] INNER = {1, 5, 25};
    private final Random random = new Random(15);

    @Test
    void eachElementIsTheChainOfMultiplyAddsWhateverItsBlock() {
        for (int rows : ROWS) {
            for (int inner : INNER) {
                for (int width : WIDTHS) {
                    for (boolean padded : new boolean[] {false, true}) {
                        check(rows, inner, width, padded, false);
                        check(rows, inner, width, padded, true);
                    }
                }
            }
        }
    }

    @Test
    void columnsPastTheWidthAreComputedOnlyIntoRowsLongEnough() {
        int width = LANES + 3;
        int padded = 2 * LANES;
        float[][] b = rows(5, padded);
        float[][] c = new float[4][];
        for (int i = 0; i < 4; i++) {
            c[i] = new float[i == 2 ? width : padded];
            Arrays.fill(c[i], -7.0f);
        }
        PatchProducts.multiply(values(4 * 5), 0, 5, 1, b, c, 4, 5, width);
        // One row too short: the columns past the width are left alone in every row.
        assertEquals(-7.0f, c[0][width], "c[0][width]");
        assertEquals(-7.0f, c[3][padded - 1], "c[3][padded - 1]");
    }

    /**
     * The product over runs of one array from each tap's offset against the chain of
     * multiply-adds per element, bit for bit: rows in fours, overlapping fours and single rows,
     * widths of whole vectors, tails, and an input long enough for whole vectors past the width
     * or not (a scalar tail); taps in any order, as a dilated window or a padded one gives them.
     */
    @Test
    void shiftedProductIsTheChainOfMultiplyAddsOverEachTapsRun() {
        for (int rows : ROWS) {
            for (int inner : INNER) {
                for (int width : WIDTHS) {
                    for (boolean roomy : new boolean[] {false, true}) {
                        int[] taps = new int[inner];
                        for (int k = 0; k < inner; k++) {
                            taps[k] = (k * 7) % (inner + 3);
                        }
                        int padded = (width + LANES - 1) / LANES * LANES;
                        int reach = inner + 2 + (roomy ? padded : width);
                        float[] x = values(reach);
                        int ao = 2;
                        float[] a = values(ao + rows * inner);
                        float[][] c = rows(rows, roomy ? padded : width);
                        PatchProducts.multiplyShifted(a, ao, inner, x, taps, c, rows, inner, width);
                        for (int i = 0; i < rows; i++) {
                            for (int j = 0; j < width; j++) {
                                float expected = 0.0f;
                                for (int k = 0; k < inner; k++) {
                                    expected = Math.fma(a[ao + i * inner + k], x[taps[k] + j], expected);
                                }
                                String where = "rows=%d inner=%d width=%d roomy=%b at [%d][%d]"
                                        .formatted(rows, inner, width, roomy, i, j);
                                assertEquals(
                                        Float.floatToRawIntBits(expected), Float.floatToRawIntBits(c[i][j]), where);
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * The planes stored out of the sums of the shifted product: each output the sum at its
     * column plus the filter's bias (or the sum itself, -0 kept, without one), rows narrower and
     * wider than a vector, and nothing written outside the planes.
     */
    @Test
    void storedPlanesAreTheSumsPlusTheBiasAndNothingElse() {
        for (int outW : new int[] {1, 3, LANES - 1, LANES, LANES + 5, 2 * LANES + 12}) {
            for (int outH : new int[] {1, 2, 5}) {
                for (boolean withBias : new boolean[] {false, true}) {
                    int filters = 3;
                    int wp = outW + 4;
                    int length = ((outH - 1) * wp + outW + LANES - 1) / LANES * LANES;
                    float[][] sums = rows(filters, length);
                    sums[filters - 1][0] = -0.0f;
                    float[] bias = withBias ? values(filters + 1) : null;
                    int oo = 5;
                    float[] out = new float[oo + filters * outH * outW + 2 * LANES];
                    Arrays.fill(out, -7.0f);
                    PatchProducts.storePlanes(sums, wp, bias, 1, out, oo, filters, outH, outW);
                    for (int i = 0; i < out.length; i++) {
                        int p = i - oo;
                        String where = "outW=%d outH=%d bias=%b at %d".formatted(outW, outH, withBias, i);
                        if (p < 0 || p >= filters * outH * outW) {
                            assertEquals(-7.0f, out[i], "outside the planes: " + where);
                            continue;
                        }
                        int f = p / (outH * outW);
                        int oy = p % (outH * outW) / outW;
                        int ox = p % outW;
                        float sum = sums[f][oy * wp + ox];
                        float expected = withBias ? sum + bias[1 + f] : sum;
                        assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(out[i]), where);
                    }
                }
            }
        }
    }

    /**
     * A run copied into a row of patches: every element of the run equals its input, whatever its
     * length (shorter than a vector, whole vectors, a tail) and offsets, and near the end of either
     * array nothing is written past the array (the copy finishes by elements there).
     */
    @Test
    void copyRunCopiesTheRunAndAtMostAVectorPastIt() {
        float[] src = values(3 * LANES + 5);
        for (int length : new int[] {0, 1, 3, LANES - 1, LANES, LANES + 3, 2 * LANES, 3 * LANES + 5}) {
            for (int s = 0; s + length <= src.length; s += Math.max(1, LANES / 3)) {
                for (int dLength : new int[] {length, length + 1, length + LANES, 4 * LANES + 7}) {
                    for (int d = 0; d + length <= dLength; d += Math.max(1, LANES / 2)) {
                        float[] dst = new float[dLength];
                        Arrays.fill(dst, -7.0f);
                        PatchProducts.copyRun(src, s, dst, d, length);
                        for (int i = 0; i < dLength; i++) {
                            String where = "length=%d s=%d d=%d of %d at %d".formatted(length, s, d, dLength, i);
                            if (i < d) {
                                assertEquals(-7.0f, dst[i], "before the run: " + where);
                            } else if (i < d + length) {
                                assertEquals(src[s + i - d], dst[i], "in the run: " + where);
                            } else if (i >= d + Math.max(length, 1) + LANES - 1) {
                                assertEquals(-7.0f, dst[i], "past the run's last vector: " + where);
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * The weight gradient by lanes: each lane of each element is its chain of multiply-adds over
     * the vectors from zero, added once to the lanes already there, bit for bit; blocks of four
     * rows by four taps, single rows, single taps and taps in any order. Nothing else of the lanes
     * changes but the block sums' room at their end.
     */
    @Test
    void shiftedLanesAddEachLanesChainToTheLanesBefore() {
        for (int rows : new int[] {1, 3, 4, 5, 6, 9}) {
            for (int inner : new int[] {1, 3, 4, 6, 25}) {
                for (int vectors : new int[] {1, 3, 9}) {
                    int length = vectors * LANES;
                    int[] taps = new int[inner];
                    for (int k = 0; k < inner; k++) {
                        taps[k] = (k * 5) % (inner + 2);
                    }
                    int stride = length + 3;
                    float[] a = values(2 + rows * stride);
                    float[] x = values(inner + 2 + length);
                    int count = rows * inner;
                    float[] lanes = values((count + 16) * 16);
                    float[] before = lanes.clone();
                    PatchProducts.addShiftedLanes(a, 2, stride, x, taps, lanes, rows, inner, length);
                    for (int i = 0; i < rows; i++) {
                        for (int k = 0; k < inner; k++) {
                            for (int l = 0; l < LANES; l++) {
                                float chain = 0.0f;
                                for (int j = l; j < length; j += LANES) {
                                    chain = Math.fma(a[2 + i * stride + j], x[taps[k] + j], chain);
                                }
                                int q = (i * inner + k) * LANES + l;
                                assertEquals(
                                        Float.floatToRawIntBits(before[q] + chain),
                                        Float.floatToRawIntBits(lanes[q]),
                                        "rows %d, inner %d, length %d at %d, %d lane %d"
                                                .formatted(rows, inner, length, i, k, l));
                            }
                        }
                    }
                    for (int q = count * LANES; q < lanes.length - 16 * LANES; q++) {
                        assertEquals(before[q], lanes[q], "past the elements at " + q);
                    }
                }
            }
        }
    }

    /**
     * Patch gradient rows added under their taps by vectors are bit for bit the additions element by
     * element in the order of the rows: rows of whole vectors, rows cut short (a scalar tail), and
     * an array that ends before a run's last vector would.
     */
    @Test
    void addUnderTapsAddsEachRowWhereItsTapReads() {
        for (int rows : new int[] {1, 3, 7}) {
            for (int width : new int[] {1, LANES - 1, LANES + 3, 3 * LANES}) {
                for (boolean roomy : new boolean[] {false, true}) {
                    int[] taps = new int[rows];
                    for (int k = 0; k < rows; k++) {
                        taps[k] = (k * 3) % (rows + 2);
                    }
                    int padded = (width + LANES - 1) / LANES * LANES;
                    float[][] c = rows(rows, roomy ? padded : width);
                    for (float[] row : c) {
                        Arrays.fill(row, width, row.length, 0.0f);
                    }
                    int d0 = 2;
                    float[] d = values(d0 + rows + 2 + width + (roomy ? LANES : 0));
                    float[] expected = d.clone();
                    for (int k = 0; k < rows; k++) {
                        for (int j = 0; j < width; j++) {
                            expected[d0 + taps[k] + j] += c[k][j];
                        }
                    }
                    PatchProducts.addUnderTaps(c, taps, d, d0, rows, width);
                    for (int i = 0; i < d.length; i++) {
                        assertEquals(
                                Float.floatToRawIntBits(expected[i]),
                                Float.floatToRawIntBits(d[i]),
                                "rows %d, width %d, roomy %b at %d".formatted(rows, width, roomy, i));
                    }
                }
            }
        }
    }

    /**
     * The weight gradient by taps: each element is its chain of multiply-adds over the positions
     * from zero, then one addition to the sum already there, bit for bit, whichever block computes
     * it (taps in eights, fours and singles); filters of whole vectors, rows rounded up to them
     * (the columns past the width computed, nothing past the rows touched) and rows cut short (a
     * scalar tail); taps and positions in any order, from an offset into the input.
     */
    @Test
    void tapProductsAddEachElementsChainToTheSumBefore() {
        for (int rows : new int[] {1, 3, 4, 7, 8, 13, 150}) {
            for (int inner : new int[] {1, 5, 100}) {
                for (int width : new int[] {1, LANES - 2, LANES, 2 * LANES + 3, 4 * LANES, 5 * LANES + 1}) {
                    for (boolean roomy : new boolean[] {false, true}) {
                        int length = roomy ? (width + LANES - 1) / LANES * LANES : width;
                        int[] taps = new int[rows];
                        for (int k = 0; k < rows; k++) {
                            taps[k] = (k * 7) % (rows + 3);
                        }
                        int[] offsets = new int[inner];
                        for (int o = 0; o < inner; o++) {
                            offsets[o] = (o * 5) % (inner + 1);
                        }
                        int xo = 2;
                        float[] x = values(xo + rows + 3 + inner + 1);
                        float[][] columns = rows(inner, length);
                        float[][] sums = rows(rows, length + 1);
                        float[][] before = new float[rows][];
                        for (int k = 0; k < rows; k++) {
                            before[k] = sums[k].clone();
                        }
                        PatchProducts.addTapProducts(x, xo, taps, offsets, columns, sums, rows, inner, width);
                        for (int k = 0; k < rows; k++) {
                            for (int f = 0; f < width; f++) {
                                float chain = 0.0f;
                                for (int o = 0; o < inner; o++) {
                                    chain = Math.fma(x[xo + taps[k] + offsets[o]], columns[o][f], chain);
                                }
                                assertEquals(
                                        Float.floatToRawIntBits(before[k][f] + chain),
                                        Float.floatToRawIntBits(sums[k][f]),
                                        "rows %d, inner %d, width %d, roomy %b at [%d][%d]"
                                                .formatted(rows, inner, width, roomy, k, f));
                            }
                            assertEquals(before[k][length], sums[k][length], "past the rows' length at " + k);
                            if (!roomy) {
                                for (int f = width; f < length; f++) {
                                    assertEquals(before[k][f], sums[k][f], "past the width at " + k);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void transposedPlanesHoldEachPositionsFilters() {
        int count = 5;
        int plane = 7;
        float[] dy = values(3 + count * plane);
        float[][] columns = rows(plane, count + 2);
        PatchProducts.transposePlanes(dy, 3, count, plane, columns);
        for (int o = 0; o < plane; o++) {
            for (int f = 0; f < count; f++) {
                assertEquals(dy[3 + f * plane + o], columns[o][f], "position %d, filter %d".formatted(o, f));
            }
        }
    }

    @Test
    void laneSumsAddTheLanesInOrderFromTheFirst() {
        int count = 7;
        float[] lanes = values(count * LANES);
        float[] g = values(count + 3);
        float[] before = g.clone();
        PatchProducts.addLaneSums(lanes, count, g, 2);
        for (int j = 0; j < count; j++) {
            float sum = lanes[j * LANES];
            for (int l = 1; l < LANES; l++) {
                sum += lanes[j * LANES + l];
            }
            assertEquals(Float.floatToRawIntBits(before[2 + j] + sum), Float.floatToRawIntBits(g[2 + j]), "at " + j);
        }
        assertEquals(before[0], g[0]);
        assertEquals(before[1], g[1]);
        assertEquals(before[2 + count], g[2 + count]);
    }

    /**
     * Patches by position against the patch's definition, for windows of one to five taps wide,
     * strides and row dilations, several channels, rows with room for a whole vector past the patch
     * and rows without (whose last runs are copied by elements), and an input that ends where the
     * last window does.
     */
    @Test
    void positionPatchesHoldTheInputUnderEachTap() {
        for (int channels : new int[] {1, 3}) {
            for (int[] window : new int[][] {{1, 1}, {3, 2}, {5, 5}, {2, 7}}) {
                for (int stride : new int[] {1, 2}) {
                    for (int dh : new int[] {1, 2}) {
                        for (boolean room : new boolean[] {false, true}) {
                            int kh = window[0];
                            int kw = window[1];
                            int inH = 11;
                            int inW = 9 + kw;
                            int outH = (inH - dh * (kh - 1) - 1) / stride + 1;
                            int outW = (inW - kw) / stride + 1;
                            int depth = channels * kh * kw;
                            int xo = 3;
                            float[] x = values(xo + channels * inH * inW);
                            float[][] rows = new float[outH * outW][room ? depth + LANES : depth];
                            PatchProducts.positionPatches(
                                    x, xo, rows, channels, inH * inW, inW, kh, kw, dh, outH, outW, stride, stride);
                            for (int oy = 0; oy < outH; oy++) {
                                for (int ox = 0; ox < outW; ox++) {
                                    for (int c = 0; c < channels; c++) {
                                        for (int ky = 0; ky < kh; ky++) {
                                            for (int kx = 0; kx < kw; kx++) {
                                                int iy = oy * stride + ky * dh;
                                                int ix = ox * stride + kx;
                                                assertEquals(
                                                        x[xo + c * inH * inW + iy * inW + ix],
                                                        rows[oy * outW + ox][(c * kh + ky) * kw + kx],
                                                        "window %dx%d stride %d dh %d room %b at (%d, %d) tap (%d, %d, %d)"
                                                                .formatted(
                                                                        kh, kw, stride, dh, room, oy, ox, c, ky, kx));
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** {@code rows x inner} left factor read by rows ({@code transposed} false) or by columns. */
    @Test
    void dotsSumEachElementByLanesInOrderThenTheTail() {
        int[] lengths = {1, LANES - 1, LANES, 3 * LANES + 5, 49 * LANES};
        for (int rows : new int[] {1, 2, 3, 5, 6}) {
            for (int count : new int[] {1, 3, 4, 5, 25}) {
                for (int length : lengths) {
                    int stride = length + 7;
                    float[] a = values(3 + rows * stride);
                    float[][] b = rows(count, length);
                    float[][] c = new float[rows][count];
                    PatchProducts.dots(a, 3, stride, b, c, rows, count, length);
                    for (int i = 0; i < rows; i++) {
                        for (int k = 0; k < count; k++) {
                            assertEquals(
                                    Float.floatToRawIntBits(byLanes(a, 3 + i * stride, b[k], length)),
                                    Float.floatToRawIntBits(c[i][k]),
                                    "rows " + rows + ", count " + count + ", length " + length + " at " + i + ", " + k);
                        }
                    }
                }
            }
        }
    }

    /** One element of {@code dots} as its contract reads, lane by lane in plain Java. */
    private static float byLanes(float[] a, int p, float[] b, int length) {
        int whole = length - length % LANES;
        float[] lanes = new float[LANES];
        for (int o = 0; o < whole; o++) {
            lanes[o % LANES] = Math.fma(a[p + o], b[o], lanes[o % LANES]);
        }
        float sum = lanes[0];
        for (int l = 1; l < LANES; l++) {
            sum += lanes[l];
        }
        for (int o = whole; o < length; o++) {
            sum = Math.fma(a[p + o], b[o], sum);
        }
        return sum;
    }

    private void check(int rows, int inner, int width, boolean padded, boolean transposed) {
        int length = padded ? (width + LANES - 1) / LANES * LANES : width;
        int ao = 3;
        float[] a = values(ao + rows * inner + 2);
        int rowStride = transposed ? 1 : inner;
        int colStride = transposed ? rows : 1;
        float[][] b = rows(inner, length);
        float[][] c = rows(rows, length);
        PatchProducts.multiply(a, ao, rowStride, colStride, b, c, rows, inner, width);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < width; j++) {
                float expected = 0.0f;
                for (int k = 0; k < inner; k++) {
                    expected = Math.fma(a[ao + i * rowStride + k * colStride], b[k][j], expected);
                }
                String where = "rows=%d inner=%d width=%d padded=%b transposed=%b at [%d][%d]"
                        .formatted(rows, inner, width, padded, transposed, i, j);
                assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(c[i][j]), where);
            }
        }
    }

    private float[] values(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }

    private float[][] rows(int n, int length) {
        float[][] r = new float[n][];
        for (int i = 0; i < n; i++) {
            r[i] = values(length);
        }
        return r;
    }
}
