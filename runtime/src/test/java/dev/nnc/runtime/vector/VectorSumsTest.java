package dev.nnc.runtime.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The vector column sums against the plain loop that generated code runs without the Vector API,
 * to the last bit: widths in blocks of four vectors, single vectors and a scalar tail, rows that
 * start at an offset and lie a stride apart (wider than the matrix, as in a block of a trace),
 * and one row or none. The build runs these tests at the machine's vector length and again at 256
 * and 128 bits.
 */
class VectorSumsTest {
    private static final int LANES = VectorProducts.lanes();
    private static final int[] WIDTHS = {1, 3, LANES, 4 * LANES, 4 * LANES + LANES + 5, 12 * LANES, 192};
    private static final int[] ROWS = {0, 1, 2, 7, 32};

    private final Random random = new Random(23);

    @Test
    void columnSumsAreThePlainLoopsSumsBitForBit() {
        for (int width : WIDTHS) {
            for (int rows : ROWS) {
                int offset = 5;
                int stride = width + 3;
                float[] a = new float[offset + rows * stride + 2];
                for (int i = 0; i < a.length; i++) {
                    a[i] = (random.nextFloat() - 0.5f) * (1 << random.nextInt(12));
                }
                float[] y = new float[width + 4];
                float[] expected = y.clone();
                for (int j = 0; j < width; j++) {
                    expected[2 + j] = 0.0f;
                }
                for (int k = 0; k < rows; k++) {
                    for (int j = 0; j < width; j++) {
                        expected[2 + j] += a[offset + k * stride + j];
                    }
                }
                VectorSums.columnSums(a, offset, stride, rows, y, 2, width);
                for (int j = 0; j < y.length; j++) {
                    assertEquals(
                            Float.floatToRawIntBits(expected[j]),
                            Float.floatToRawIntBits(y[j]),
                            "width %d, %d rows, element %d".formatted(width, rows, j));
                }
            }
        }
    }

    @Test
    void columnsOfNegativeZerosSumToPositiveZeroAsThePlainLoopDoes() {
        float[] a = new float[4 * (LANES + 1)];
        java.util.Arrays.fill(a, -0.0f);
        float[] y = new float[LANES + 1];
        VectorSums.columnSums(a, 0, LANES + 1, 4, y, 0, LANES + 1);
        for (float sum : y) {
            assertEquals(Float.floatToRawIntBits(0.0f), Float.floatToRawIntBits(sum));
        }
    }
}
