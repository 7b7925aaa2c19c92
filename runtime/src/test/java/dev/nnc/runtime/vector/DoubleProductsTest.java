package dev.nnc.runtime.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link DoubleProducts#multiply} is, element by element and bit for bit, the sum in the order the
 * class promises (slices of 256 weight rows, each a chain of fused multiply-adds from zero in the
 * order of k, the slices added in order, then the bias), and that sum is the product to the
 * rounding of double. Shapes reach every block and tail: rows in fours and one by one, widths in
 * blocks of four, two and one vectors and scalar tails, inner sizes within one slice and across
 * several. The build runs these tests at the machine's vector length and again at 256 and 128
 * bits ({@code -XX:MaxVectorSize}, see the runtime's POM).
 */
class DoubleProductsTest {
    private static final int LANES = DoubleProducts.lanes();
    private static final int[] WIDTHS = {
        1, 3, LANES - 1, LANES, LANES + 3, 2 * LANES, 3 * LANES + 1, 4 * LANES, 5 * LANES + 3, 9 * LANES + 7
    };
    private static final int[] INNER = {1, 2, 7, 33, 255, 256, 257, 600};
    private static final int SLICE = 256;

    private final Random random = new Random(7);

    @Test
    void theLanesAreTheJvmsDoubleVectors() {
        String lanes = System.getProperty("nnc.test.lanes");
        if (lanes != null) {
            // nnc.test.lanes counts floats; a double vector of the same size holds half as many.
            assertEquals(Integer.parseInt(lanes) / 2, LANES, "double lanes under -XX:MaxVectorSize");
        }
    }

    @Test
    void everyElementIsTheSlicedSumThenTheBias() {
        for (int m = 1; m <= 9; m++) {
            for (int inner : INNER) {
                for (int width : WIDTHS) {
                    int ao = m % 2 == 0 ? 0 : 3;
                    double[][] a = randomRows(m, ao + inner + 2);
                    double[][] b = randomRows(inner, width);
                    double[] bias = m % 3 == 0 ? null : randomRows(1, width)[0];
                    double[][] c = randomRows(m, width); // overwritten
                    DoubleProducts.multiply(a, ao, b, bias, c, m, inner, width);
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < width; j++) {
                            String where = "m=%d inner=%d width=%d at [%d][%d]".formatted(m, inner, width, i, j);
                            double expected = slicedSum(a[i], ao, b, j, inner) + (bias == null ? 0 : bias[j]);
                            assertEquals(Double.doubleToLongBits(expected), Double.doubleToLongBits(c[i][j]), where);
                            assertClose(a[i], ao, b, j, inner, bias == null ? 0 : bias[j], c[i][j], where);
                        }
                    }
                }
            }
        }
    }

    @Test
    void aRowAloneIsItsRowOfABatch() {
        int inner = 300;
        int width = 4 * LANES + 5;
        double[][] a = randomRows(7, inner);
        double[][] b = randomRows(inner, width);
        double[] bias = randomRows(1, width)[0];
        double[][] batch = new double[7][width];
        DoubleProducts.multiply(a, 0, b, bias, batch, 7, inner, width);
        for (int i = 0; i < 7; i++) {
            double[][] one = new double[1][width];
            DoubleProducts.multiply(new double[][] {a[i]}, 0, b, bias, one, 1, inner, width);
            for (int j = 0; j < width; j++) {
                assertEquals(Double.doubleToLongBits(batch[i][j]), Double.doubleToLongBits(one[0][j]), "row " + i);
            }
        }
    }

    /** The promised order: per slice a chain of fused multiply-adds from zero, the slices added in order. */
    private static double slicedSum(double[] row, int ao, double[][] b, int j, int inner) {
        double total = 0;
        for (int from = 0; from < inner; from += SLICE) {
            double slice = 0;
            for (int k = from; k < Math.min(inner, from + SLICE); k++) {
                slice = Math.fma(b[k][j], row[ao + k], slice);
            }
            total = from == 0 ? slice : total + slice;
        }
        return total;
    }

    /** Within a few roundings of double of the exact sum, relative to the sum of the magnitudes. */
    private static void assertClose(
            double[] row, int ao, double[][] b, int j, int inner, double bias, double actual, String where) {
        double sum = bias;
        double magnitude = Math.abs(bias);
        for (int k = 0; k < inner; k++) {
            sum += row[ao + k] * b[k][j];
            magnitude += Math.abs(row[ao + k] * b[k][j]);
        }
        assertTrue(Math.abs(actual - sum) <= 1e-13 * magnitude, where + ": " + actual + " against " + sum);
    }

    private double[][] randomRows(int rows, int columns) {
        double[][] values = new double[rows][columns];
        for (double[] row : values) {
            for (int j = 0; j < columns; j++) {
                row[j] = random.nextGaussian();
            }
        }
        return values;
    }
}
