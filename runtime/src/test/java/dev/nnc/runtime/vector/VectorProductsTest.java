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
     * Every element of {@code multiply} is one chain of fused multiply-adds in the order of k from
     * zero, bit for bit, also where the four-by-four blocks run their sums in slices of 64 weight
     * rows (inner sizes across and beyond the slice) and where the blocks end in narrower ones.
     */
    @Test
    void multiplyIsOneChainOfMultiplyAddsPerElement() {
        for (int m : new int[] {4, 9}) {
            for (int inner : new int[] {63, 64, 65, 130, 200}) {
                for (int width : new int[] {4 * LANES, 8 * LANES + 3, 6 * LANES + 1}) {
                    float[][] a = randomRows(m, inner + 1);
                    float[][] b = randomRows(inner, width);
                    float[][] c = randomRows(m, width);
                    VectorProducts.multiply(a, 1, b, c, m, inner, width);
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < width; j++) {
                            float sum = 0.0f;
                            for (int k = 0; k < inner; k++) {
                                sum = Math.fma(a[i][1 + k], b[k][j], sum);
                            }
                            assertEquals(
                                    Float.floatToIntBits(sum),
                                    Float.floatToIntBits(c[i][j]),
                                    "multiply m=%d inner=%d width=%d at [%d][%d]".formatted(m, inner, width, i, j));
                        }
                    }
                }
            }
        }
    }

    /**
     * The columns that blocks of four rows leave after their full vectors (a prediction's ten
     * classes, or the last few columns of a wide layer) run in scalar blocks of four rows by four,
     * then two, then one column, or, from 16 rows on and for four leftover columns or more, as one
     * vector over a zero-padded copy of them, in blocks of eight rows and then of four; each
     * element is still one chain of fused
     * multiply-adds in the order of k, bit for bit, for every leftover count from 1 to 7 and up
     * to a vector less one, for rows that are not a multiple of four, and for a second product
     * with fewer columns after a wider one (the padded copy is reused).
     */
    @Test
    void leftoverColumnsOfFourRowsAreOneChainPerElement() {
        for (int m : new int[] {4, 8, 13, 16, 19, 20, 23, 64}) {
            for (int width : new int[] {
                5, 6, 7, 10, LANES - 1, LANES + 1, LANES + 2, LANES + 6, 2 * LANES + 7, 4 * LANES + 10, 3, 4
            }) {
                int inner = 37;
                float[][] a = randomRows(m, inner + 2);
                float[][] b = randomRows(inner, width);
                float[][] c = randomRows(m, width);
                VectorProducts.multiply(a, 2, b, c, m, inner, width);
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < width; j++) {
                        float sum = 0.0f;
                        for (int k = 0; k < inner; k++) {
                            sum = Math.fma(a[i][2 + k], b[k][j], sum);
                        }
                        assertEquals(
                                Float.floatToIntBits(sum),
                                Float.floatToIntBits(c[i][j]),
                                "multiply m=%d width=%d at [%d][%d]".formatted(m, width, i, j));
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
            for (int inner : new int[] {1, 63, 64, 65, 130}) {
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
     * that reach its blocks of eight, four and one vectors and both scalar tails, with and
     * without a bias and with an offset into the sample.
     */
    @Test
    void multiplyOneIsMultiplyOfOneRowThenTheBias() {
        int[] widths = {1, 3, LANES - 1, LANES, 4 * LANES + 5, 8 * LANES, 8 * LANES + 3, 12 * LANES + 5, 17 * LANES + 1
        };
        for (int inner : INNER) {
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
