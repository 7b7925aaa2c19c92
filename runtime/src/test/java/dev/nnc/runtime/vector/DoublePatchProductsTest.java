package dev.nnc.runtime.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The products over patches of double convolutions against a chain of fused multiply-adds per
 * element, in order of {@code k} from zero, bit for bit, as {@link PatchProductsTest} checks the
 * float ones: blocks of four, two and one vectors of doubles, rows in fours, overlapping fours and
 * single rows, both strides of the left factor, rows rounded up to whole vectors and rows that are
 * not; the dot products by lanes, the shifted product, the stored planes and the copied runs as
 * well. The build runs these tests at the machine's vector length and at 256 and 128 bits too.
 */
class DoublePatchProductsTest {
    private static final int LANES = DoubleProducts.lanes();
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
        int padded = (width + LANES - 1) / LANES * LANES;
        double[][] b = rows(5, padded);
        double[][] c = new double[4][];
        for (int i = 0; i < 4; i++) {
            c[i] = new double[i == 2 ? width : padded];
            Arrays.fill(c[i], -7.0);
        }
        DoublePatchProducts.multiply(values(4 * 5), 0, 5, 1, b, c, 4, 5, width);
        // One row too short: the columns past the width are left alone in every row.
        assertEquals(-7.0, c[0][width], "c[0][width]");
        assertEquals(-7.0, c[3][padded - 1], "c[3][padded - 1]");
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
                        double[] x = values(reach);
                        int ao = 2;
                        double[] a = values(ao + rows * inner);
                        double[][] c = rows(rows, roomy ? padded : width);
                        DoublePatchProducts.multiplyShifted(a, ao, inner, x, taps, c, rows, inner, width);
                        for (int i = 0; i < rows; i++) {
                            for (int j = 0; j < width; j++) {
                                double expected = 0.0;
                                for (int k = 0; k < inner; k++) {
                                    expected = Math.fma(a[ao + i * inner + k], x[taps[k] + j], expected);
                                }
                                String where = "rows=%d inner=%d width=%d roomy=%b at [%d][%d]"
                                        .formatted(rows, inner, width, roomy, i, j);
                                assertEquals(
                                        Double.doubleToRawLongBits(expected),
                                        Double.doubleToRawLongBits(c[i][j]),
                                        where);
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
                    double[][] sums = rows(filters, length);
                    sums[filters - 1][0] = -0.0;
                    double[] bias = withBias ? values(filters + 1) : null;
                    int oo = 5;
                    double[] out = new double[oo + filters * outH * outW + 2 * LANES];
                    Arrays.fill(out, -7.0);
                    DoublePatchProducts.storePlanes(sums, wp, bias, 1, out, oo, filters, outH, outW);
                    for (int i = 0; i < out.length; i++) {
                        int p = i - oo;
                        String where = "outW=%d outH=%d bias=%b at %d".formatted(outW, outH, withBias, i);
                        if (p < 0 || p >= filters * outH * outW) {
                            assertEquals(-7.0, out[i], "outside the planes: " + where);
                            continue;
                        }
                        int f = p / (outH * outW);
                        int oy = p % (outH * outW) / outW;
                        int ox = p % outW;
                        double sum = sums[f][oy * wp + ox];
                        double expected = withBias ? sum + bias[1 + f] : sum;
                        assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(out[i]), where);
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
                        double[] x = values(xo + rows + 3 + inner + 1);
                        double[][] columns = rows(inner, length);
                        double[][] sums = rows(rows, length + 1);
                        double[][] before = new double[rows][];
                        for (int k = 0; k < rows; k++) {
                            before[k] = sums[k].clone();
                        }
                        DoublePatchProducts.addTapProducts(x, xo, taps, offsets, columns, sums, rows, inner, width);
                        for (int k = 0; k < rows; k++) {
                            for (int f = 0; f < width; f++) {
                                double chain = 0.0;
                                for (int o = 0; o < inner; o++) {
                                    chain = Math.fma(x[xo + taps[k] + offsets[o]], columns[o][f], chain);
                                }
                                assertEquals(
                                        Double.doubleToRawLongBits(before[k][f] + chain),
                                        Double.doubleToRawLongBits(sums[k][f]),
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
        double[] dy = values(3 + count * plane);
        double[][] columns = rows(plane, count + 2);
        DoublePatchProducts.transposePlanes(dy, 3, count, plane, columns);
        for (int o = 0; o < plane; o++) {
            for (int f = 0; f < count; f++) {
                assertEquals(dy[3 + f * plane + o], columns[o][f], "position %d, filter %d".formatted(o, f));
            }
        }
    }

    @Test
    void copyRunCopiesTheRunAndAtMostAVectorPastIt() {
        double[] src = values(3 * LANES + 5);
        for (int length : new int[] {0, 1, 3, LANES - 1, LANES, LANES + 3, 2 * LANES, 3 * LANES + 5}) {
            for (int s = 0; s + length <= src.length; s += Math.max(1, LANES / 3)) {
                for (int dLength : new int[] {length, length + 1, length + LANES, 4 * LANES + 7}) {
                    for (int d = 0; d + length <= dLength; d += Math.max(1, LANES / 2)) {
                        double[] dst = new double[dLength];
                        Arrays.fill(dst, -7.0);
                        DoublePatchProducts.copyRun(src, s, dst, d, length);
                        for (int i = 0; i < dLength; i++) {
                            String where = "length=%d s=%d d=%d of %d at %d".formatted(length, s, d, dLength, i);
                            if (i < d) {
                                assertEquals(-7.0, dst[i], "before the run: " + where);
                            } else if (i < d + length) {
                                assertEquals(src[s + i - d], dst[i], "in the run: " + where);
                            } else if (i >= d + Math.max(length, 1) + LANES - 1) {
                                assertEquals(-7.0, dst[i], "past the run's last vector: " + where);
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
                    double[] a = values(3 + rows * stride);
                    double[][] b = rows(count, length);
                    double[][] c = new double[rows][count];
                    DoublePatchProducts.dots(a, 3, stride, b, c, rows, count, length);
                    for (int i = 0; i < rows; i++) {
                        for (int k = 0; k < count; k++) {
                            assertEquals(
                                    Double.doubleToRawLongBits(byLanes(a, 3 + i * stride, b[k], length)),
                                    Double.doubleToRawLongBits(c[i][k]),
                                    "rows " + rows + ", count " + count + ", length " + length + " at " + i + ", " + k);
                        }
                    }
                }
            }
        }
    }

    /** One element of {@code dots} as its contract reads, lane by lane in plain Java. */
    private static double byLanes(double[] a, int p, double[] b, int length) {
        int whole = length - length % LANES;
        double[] lanes = new double[LANES];
        for (int o = 0; o < whole; o++) {
            lanes[o % LANES] = Math.fma(a[p + o], b[o], lanes[o % LANES]);
        }
        double sum = lanes[0];
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
        double[] a = values(ao + rows * inner + 2);
        int rowStride = transposed ? 1 : inner;
        int colStride = transposed ? rows : 1;
        double[][] b = rows(inner, length);
        double[][] c = rows(rows, length);
        DoublePatchProducts.multiply(a, ao, rowStride, colStride, b, c, rows, inner, width);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < width; j++) {
                double expected = 0.0;
                for (int k = 0; k < inner; k++) {
                    expected = Math.fma(a[ao + i * rowStride + k * colStride], b[k][j], expected);
                }
                String where = "rows=%d inner=%d width=%d padded=%b transposed=%b at [%d][%d]"
                        .formatted(rows, inner, width, padded, transposed, i, j);
                assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(c[i][j]), where);
            }
        }
    }

    private double[] values(int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = random.nextGaussian();
        }
        return v;
    }

    private double[][] rows(int n, int length) {
        double[][] r = new double[n][];
        for (int i = 0; i < n; i++) {
            r[i] = values(length);
        }
        return r;
    }
}
