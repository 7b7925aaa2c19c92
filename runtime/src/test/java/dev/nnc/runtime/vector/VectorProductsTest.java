package dev.nnc.runtime.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.runtime.Vectorization;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The Vector API products against sums in double precision, over shapes that reach every block
 * and tail of the kernels: rows and columns in fours and one by one, widths in blocks of four,
 * two and one vectors and scalar tails. The build runs these tests at the machine's vector
 * length and again at 256 and 128 bits ({@code -XX:MaxVectorSize}, see the runtime's POM).
 */
class VectorProductsTest {
    private static final int LANES = VectorProducts.lanes();
    private static final int[] WIDTHS = {
        1, 3, LANES - 1, LANES, LANES + 3, 2 * LANES, 3 * LANES + 1, 4 * LANES, 5 * LANES + 3, 7 * LANES, 9 * LANES + 7
    };
    private static final int[] INNER = {1, 2, 7, 33};
    /** The weight rows per slice of the products' blocked sums. */
    private static final int SLICE = 256;

    private final Random random = new Random(42);

    @Test
    void theTestJvmHasTheVectorApi() {
        assertTrue(Vectorization.ENABLED, "the runtime's tests run with --add-modules " + Vectorization.MODULE);
        String lanes = System.getProperty("nnc.test.lanes");
        if (lanes != null) {
            assertEquals(Integer.parseInt(lanes), VectorProducts.lanes(), "lanes under -XX:MaxVectorSize");
        }
    }

    @Test
    void multiplyIsTheProductOfEachSampleWithTheWeightRows() {
        for (int m = 1; m <= 9; m++) {
            for (int inner : INNER) {
                for (int width : WIDTHS) {
                    int ao = m % 2 == 0 ? 0 : 3;
                    float[][] a = randomRows(m, ao + inner + 2);
                    float[][] b = randomRows(inner, width);
                    float[][] c = randomRows(m, width); // overwritten
                    VectorProducts.multiply(a, ao, b, c, m, inner, width);
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < width; j++) {
                            double sum = 0;
                            double magnitude = 0;
                            for (int k = 0; k < inner; k++) {
                                sum += (double) a[i][ao + k] * b[k][j];
                                magnitude += Math.abs((double) a[i][ao + k] * b[k][j]);
                            }
                            assertClose(
                                    sum,
                                    magnitude,
                                    c[i][j],
                                    "multiply m=%d inner=%d width=%d at [%d][%d]".formatted(m, inner, width, i, j));
                        }
                    }
                }
            }
        }
    }

    /**
     * Every element of {@code multiply} is the blocked sum of {@link #blockedSum}, bit for bit:
     * one chain of fused multiply-adds from zero for inner sizes within one slice of 256 weight
     * rows, and for longer ones a chain per slice, added to the total, across and beyond the
     * slices, in the four-by-four blocks (which run every block of rows over 64 weight rows
     * before the next 64, continuing their chains within a slice and starting from zero at the
     * next), in the narrower blocks, in the scalar tails and in the rows after the blocks of
     * four.
     */
    @Test
    void multiplyIsTheBlockedSumPerElement() {
        for (int m : new int[] {4, 6, 9}) {
            for (int inner : new int[] {63, 65, 200, 255, 256, 257, 300, 600}) {
                for (int width : new int[] {LANES + 7, 4 * LANES, 8 * LANES + 3, 7 * LANES + 7}) {
                    float[][] a = randomRows(m, inner + 1);
                    float[][] b = randomRows(inner, width);
                    float[][] c = randomRows(m, width);
                    VectorProducts.multiply(a, 1, b, c, m, inner, width);
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < width; j++) {
                            assertEquals(
                                    Float.floatToIntBits(blockedSum(a[i], 1, b, j, inner)),
                                    Float.floatToIntBits(c[i][j]),
                                    "multiply m=%d inner=%d width=%d at [%d][%d]".formatted(m, inner, width, i, j));
                        }
                    }
                }
            }
        }
    }

    /**
     * Fewer than four samples narrower than a vector take the plain loops, four weight rows per
     * pass, in the same slices of 256 weight rows: each slice summed from zero, then added to the
     * total, bit for bit.
     */
    @Test
    void narrowProductsOfFewSamplesSumInSlices() {
        for (int m = 1; m <= 3; m++) {
            for (int inner : new int[] {3, 66, 256, 258, 700}) {
                for (int width : new int[] {1, 3, LANES - 1}) {
                    float[][] a = randomRows(m, inner + 2);
                    float[][] b = randomRows(inner, width);
                    float[][] c = randomRows(m, width);
                    VectorProducts.multiply(a, 2, b, c, m, inner, width);
                    for (int i = 0; i < m; i++) {
                        float[] expected = plainBlockedRow(a[i], 2, b, inner, width);
                        for (int j = 0; j < width; j++) {
                            assertEquals(
                                    Float.floatToIntBits(expected[j]),
                                    Float.floatToIntBits(c[i][j]),
                                    "narrow m=%d inner=%d width=%d at [%d][%d]".formatted(m, inner, width, i, j));
                        }
                    }
                }
            }
        }
    }

    /**
     * A dense layer over 34,848 inputs (a convolution's flattened output) with terms of random
     * sign, as in a float network whose single chain of multiply-adds over all inputs drifted
     * 2e-4 from the double network: the mean error against a double sum, in units of float's
     * rounding unit times the terms' Euclidean norm, stays within half of the square root of 256
     * plus the number of slices (a blocked sum's random walk of roundings, with room to spare),
     * where one chain over all inputs would be about four times that bound, for every block
     * shape of {@code multiply} and for {@code multiplyOne}.
     */
    @Test
    void longSumsStayWithinTheBlockedSumsErrorBound() {
        int inner = 34_848;
        int m = 5;
        int width = 7 * LANES + 7;
        float[][] a = randomRows(m, inner);
        float[][] b = randomRows(inner, width);
        for (float[] row : b) {
            for (int j = 0; j < width; j++) {
                row[j] *= 0.3f;
            }
        }
        float[][] c = new float[m][width];
        VectorProducts.multiply(a, 0, b, c, m, inner, width);
        float[] one = new float[width];
        VectorProducts.multiplyOne(a[m - 1], 0, b, null, one, inner, width);
        double blocked = 0;
        double oneSample = 0;
        double chain = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < width; j++) {
                double exact = 0;
                double squares = 0;
                float single = 0.0f;
                for (int k = 0; k < inner; k++) {
                    double term = (double) a[i][k] * b[k][j];
                    exact += term;
                    squares += term * term;
                    single = Math.fma(a[i][k], b[k][j], single);
                }
                double unit = Math.ulp(1.0f) / 2 * Math.sqrt(squares);
                blocked += Math.abs(c[i][j] - exact) / unit;
                chain += Math.abs(single - exact) / unit;
                if (i == m - 1) {
                    oneSample += Math.abs(one[j] - exact) / unit;
                }
            }
        }
        blocked /= m * width;
        chain /= m * width;
        oneSample /= width;
        double bound = 0.5 * Math.sqrt(SLICE + (double) inner / SLICE);
        assertTrue(chain > 2 * bound, "one chain's mean error " + chain + " is well past the bound " + bound);
        assertTrue(blocked <= bound, "multiply's mean error " + blocked + " within " + bound);
        assertTrue(oneSample <= bound, "multiplyOne's mean error " + oneSample + " within " + bound);
    }

    /**
     * The blocked sum of {@code x[xo + k] * b[k][j]} over {@code k < inner}: in slices of 256 rows,
     * each a chain of fused multiply-adds from zero, the first slice's sum the total and each
     * later one added to it.
     */
    private static float blockedSum(float[] x, int xo, float[][] b, int j, int inner) {
        float total = 0.0f;
        for (int from = 0; from < inner; from += SLICE) {
            float sum = 0.0f;
            for (int k = from; k < Math.min(inner, from + SLICE); k++) {
                sum = Math.fma(x[xo + k], b[k][j], sum);
            }
            total = from == 0 ? sum : total + sum;
        }
        return total;
    }

    /** The plain form's blocked sums: per slice of 256 rows, four rows per pass from zero, added to the total. */
    private static float[] plainBlockedRow(float[] x, int xo, float[][] b, int inner, int width) {
        float[] total = new float[width];
        for (int from = 0; from < inner; from += SLICE) {
            int to = Math.min(inner, from + SLICE);
            float[] part = new float[width];
            int k = from;
            for (; k + 4 <= to; k += 4) {
                for (int j = 0; j < width; j++) {
                    part[j] += x[xo + k] * b[k][j]
                            + x[xo + k + 1] * b[k + 1][j]
                            + x[xo + k + 2] * b[k + 2][j]
                            + x[xo + k + 3] * b[k + 3][j];
                }
            }
            for (; k < to; k++) {
                for (int j = 0; j < width; j++) {
                    part[j] += x[xo + k] * b[k][j];
                }
            }
            for (int j = 0; j < width; j++) {
                total[j] = from == 0 ? part[j] : total[j] + part[j];
            }
        }
        return total;
    }

    /**
     * The columns that blocks of four rows leave after their full vectors (a prediction's ten
     * classes, or the last few columns of a wide layer) run in scalar blocks of four rows by four,
     * then two, then one column, or, from 16 rows on and for four leftover columns or more, as one
     * vector over a zero-padded copy of them, in blocks of eight rows and then of four; each
     * element is still the blocked sum, bit for bit, within one slice of weight rows and over
     * two, for every leftover count from 1 to 7 and up to a vector less one, for rows that are
     * not a multiple of four, and for a second product with fewer columns after a wider one (the
     * padded copy is reused).
     */
    @Test
    void leftoverColumnsOfFourRowsAreOneChainPerElement() {
        for (int m : new int[] {4, 8, 13, 16, 19, 20, 23, 64}) {
            for (int width : new int[] {
                5, 6, 7, 10, LANES - 1, LANES + 1, LANES + 2, LANES + 6, 2 * LANES + 7, 4 * LANES + 10, 3, 4
            }) {
                for (int inner : new int[] {37, 300}) {
                    float[][] a = randomRows(m, inner + 2);
                    float[][] b = randomRows(inner, width);
                    float[][] c = randomRows(m, width);
                    VectorProducts.multiply(a, 2, b, c, m, inner, width);
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < width; j++) {
                            assertEquals(
                                    Float.floatToIntBits(blockedSum(a[i], 2, b, j, inner)),
                                    Float.floatToIntBits(c[i][j]),
                                    "multiply m=%d inner=%d width=%d at [%d][%d]".formatted(m, inner, width, i, j));
                        }
                    }
                }
            }
        }
    }

    /**
     * {@code multiply} with a bias is {@code multiply} without one, then the bias added to each
     * element, to the last bit: where the four-by-four blocks add it as their last slice stores
     * (inner sizes within one slice, at its end and past it), in the narrower blocks, the padded
     * columns and the scalar tails after them, for rows that are not a multiple of four, and for
     * fewer than four rows narrower than a vector.
     */
    @Test
    void multiplyWithABiasIsTheSumThenTheBias() {
        for (int m : new int[] {1, 3, 4, 9, 16, 20, 64}) {
            for (int inner : new int[] {1, 63, 64, 65, 130, 300, 400}) {
                for (int width : new int[] {3, 10, LANES + 5, 4 * LANES, 8 * LANES + 10, 6 * LANES + 1}) {
                    float[][] a = randomRows(m, inner + 1);
                    float[][] b = randomRows(inner, width);
                    float[] bias = randomRows(1, width + 1)[0];
                    float[][] expected = new float[m][width];
                    VectorProducts.multiply(a, 1, b, expected, m, inner, width);
                    float[][] c = randomRows(m, width + 1);
                    float pastTheEnd = c[m - 1][width];
                    VectorProducts.multiply(a, 1, b, bias, c, m, inner, width);
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < width; j++) {
                            assertEquals(
                                    Float.floatToIntBits(expected[i][j] + bias[j]),
                                    Float.floatToIntBits(c[i][j]),
                                    "multiply with bias m=%d inner=%d width=%d at [%d][%d]"
                                            .formatted(m, inner, width, i, j));
                        }
                    }
                    assertEquals(pastTheEnd, c[m - 1][width], "nothing written past the width");
                }
            }
        }
    }

    /**
     * The one-sample product is {@code multiply} of one row followed by the bias, to the last
     * bit (so a one-sample prediction equals the same sample's row of a small batch), over widths
     * that reach its blocks of eight and four vectors, whole and with their last vectors moved
     * back to end at the row's end (LeNet-5's 120 and 84 columns among them), and both scalar
     * tails, with and without a bias and with an offset into the sample, within one slice of
     * weight rows and over several (where an overlapping vector must not add a slice twice).
     */
    @Test
    void multiplyOneIsMultiplyOfOneRowThenTheBias() {
        int[] widths = {
            1,
            3,
            LANES - 1,
            LANES,
            LANES + 1,
            2 * LANES + 3,
            4 * LANES,
            4 * LANES + 5,
            5 * LANES + 4,
            7 * LANES + 8,
            8 * LANES,
            8 * LANES + 3,
            9 * LANES + 7,
            12 * LANES + 5,
            17 * LANES + 1,
            120,
            84
        };
        for (int inner : new int[] {1, 2, 7, 33, 256, 257, 400, 600}) {
            for (int width : widths) {
                for (boolean withBias : new boolean[] {true, false}) {
                    int xo = inner % 2 == 0 ? 0 : 3;
                    float[][] x = randomRows(1, xo + inner + 1);
                    float[][] b = randomRows(inner, width);
                    float[] bias = withBias ? randomRows(1, width)[0] : null;
                    float[][] expected = new float[1][width];
                    VectorProducts.multiply(x, xo, b, expected, 1, inner, width);
                    float[] y = randomRows(1, width + 2)[0];
                    float pastTheEnd = y[width];
                    VectorProducts.multiplyOne(x[0], xo, b, bias, y, inner, width);
                    for (int j = 0; j < width; j++) {
                        float want = withBias ? expected[0][j] + bias[j] : expected[0][j];
                        assertEquals(
                                Float.floatToIntBits(want),
                                Float.floatToIntBits(y[j]),
                                "multiplyOne inner=%d width=%d bias=%b at %d".formatted(inner, width, withBias, j));
                    }
                    assertEquals(pastTheEnd, y[width], "nothing written past the width");
                }
            }
        }
    }

    /**
     * The rows past a gradient column's last whole vector, summed as one vector that ends at the
     * last row, are bit for bit the scalar sums they replace: each the chain of multiply-adds over
     * the samples from zero, then added to the gradient (or replacing it when fresh).
     */
    @Test
    void rowsPastTheVectorsAreTheScalarSumsBitForBit() {
        int lanes = VectorProducts.lanes();
        for (boolean fresh : new boolean[] {true, false}) {
            for (int m : new int[] {1, 3, 7}) {
                for (int columns : new int[] {1, 4, 5, 9}) {
                    for (int rows : new int[] {lanes + 1, lanes + 7, 3 * lanes + 5, 7 * lanes + lanes / 2}) {
                        float[][] x = randomRows(m, columns + 1);
                        float[][] u = randomRows(m, 1 + rows);
                        float[][] g = randomRows(columns, rows);
                        float[][] before = copy(g);
                        VectorProducts.addOuterProducts(x, 1, u, 1, g, m, columns, rows, fresh);
                        for (int c = 0; c < columns; c++) {
                            for (int r = rows - rows % lanes; r < rows; r++) {
                                float chain = 0.0f;
                                for (int s = 0; s < m; s++) {
                                    chain = Math.fma(x[s][1 + c], u[s][1 + r], chain);
                                }
                                float expected = fresh ? chain : before[c][r] + chain;
                                assertEquals(
                                        Float.floatToRawIntBits(expected),
                                        Float.floatToRawIntBits(g[c][r]),
                                        "fresh=%b m=%d columns=%d rows=%d at [%d][%d]"
                                                .formatted(fresh, m, columns, rows, c, r));
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void outerProductsReplaceOrAddToTheGradientColumns() {
        for (boolean fresh : new boolean[] {true, false}) {
            for (int m : new int[] {1, 2, 5, 16}) {
                for (int columns = 1; columns <= 9; columns++) {
                    for (int rows : WIDTHS) {
                        int xo = columns % 2 == 0 ? 0 : 2;
                        int uo = columns % 3 == 0 ? 1 : 0;
                        float[][] x = randomRows(m, xo + columns + 1);
                        float[][] u = randomRows(m, uo + rows);
                        float[][] g = randomRows(columns, rows + 2);
                        float[][] before = copy(g);
                        VectorProducts.addOuterProducts(x, xo, u, uo, g, m, columns, rows, fresh);
                        for (int c = 0; c < columns; c++) {
                            for (int r = 0; r < rows; r++) {
                                double sum = fresh ? 0 : before[c][r];
                                double magnitude = Math.abs(sum);
                                for (int s = 0; s < m; s++) {
                                    sum += (double) x[s][xo + c] * u[s][uo + r];
                                    magnitude += Math.abs((double) x[s][xo + c] * u[s][uo + r]);
                                }
                                assertClose(
                                        sum,
                                        magnitude,
                                        g[c][r],
                                        "outer fresh=%b m=%d columns=%d rows=%d at [%d][%d]"
                                                .formatted(fresh, m, columns, rows, c, r));
                            }
                            for (int r = rows; r < rows + 2; r++) {
                                assertEquals(before[c][r], g[c][r], "element past the rows must stay as it was");
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void sumOfSquaresIsTheDoubleSumOverTheRange() {
        for (int length : WIDTHS) {
            for (int from : new int[] {0, 1, 5}) {
                float[] a = randomRows(1, from + length + 3)[0];
                double expected = 0;
                for (int i = from; i < from + length; i++) {
                    expected += (double) a[i] * a[i];
                }
                assertClose(
                        expected,
                        expected,
                        (float) VectorProducts.sumOfSquares(a, from, from + length),
                        "sum of squares of " + length + " from " + from);
            }
        }
        float[] large = {3e19f, 4e19f};
        assertEquals(25e38, VectorProducts.sumOfSquares(large, 0, 2), 1e33, "squares past float's range stay finite");
    }

    /** Float sums of n terms are within about n ulps of their magnitude; 1e-5 relative is ample. */
    private static void assertClose(double expected, double magnitude, float actual, String where) {
        double tolerance = 1e-5 * magnitude + 1e-30;
        assertTrue(
                Math.abs(actual - expected) <= tolerance,
                () -> where + ": expected " + expected + ", found " + actual + " (tolerance " + tolerance + ")");
    }

    @Test
    void multiplyFlatIsAChainOfFusedMultiplyAddsPerElementInPlace() {
        for (int width : WIDTHS) {
            for (int inner : INNER) {
                int rows = 5;
                int ao = 3;
                int yo = 7;
                float[] a = randomRows(1, ao + rows * inner + 2)[0];
                float[][] b = randomRows(inner, width);
                float[] y = randomRows(1, yo + rows * width + 3)[0];
                float[] expected = y.clone();
                for (int i = 0; i < rows; i++) {
                    for (int j = 0; j < width; j++) {
                        float sum = 0.0f;
                        for (int k = 0; k < inner; k++) {
                            sum = Math.fma(a[ao + i * inner + k], b[k][j], sum);
                        }
                        expected[yo + i * width + j] = sum;
                    }
                }
                VectorProducts.multiplyFlat(a, ao, b, y, yo, rows, inner, width);
                for (int e = 0; e < y.length; e++) {
                    assertEquals(
                            Float.floatToRawIntBits(expected[e]),
                            Float.floatToRawIntBits(y[e]),
                            "multiplyFlat inner=%d width=%d at %d".formatted(inner, width, e));
                }
            }
        }
    }

    private float[][] randomRows(int rows, int width) {
        float[][] result = new float[rows][width];
        for (float[] row : result) {
            for (int i = 0; i < width; i++) {
                row[i] = (float) random.nextGaussian();
            }
        }
        return result;
    }

    private static float[][] copy(float[][] rows) {
        float[][] result = new float[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            result[i] = rows[i].clone();
        }
        return result;
    }
}
