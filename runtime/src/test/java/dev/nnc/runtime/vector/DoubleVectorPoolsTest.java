package dev.nnc.runtime.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The double max pools against the plain loops' rules, bit for bit, on the shapes and values of
 * {@link VectorPoolsTest}.
 */
class DoubleVectorPoolsTest {
    private static final int LANES = DoubleProducts.lanes();
    private final Random random = new Random(37);

    @Test
    void poolsAndTheirGradientsAreThePlainLoopsBitForBit() {
        for (int kh : new int[] {1, 2}) {
            for (int channels : new int[] {1, 3}) {
                for (int outW : new int[] {1, 2, LANES / 2 - 1, LANES / 2, LANES - 1, LANES, 2 * LANES + 3}) {
                    for (int extraW : new int[] {0, 1}) {
                        for (int extraH : new int[] {0, 1}) {
                            for (boolean room : new boolean[] {false, true}) {
                                check(channels, kh, kh == 1 ? 3 : 4, outW, extraH, extraW, room);
                            }
                        }
                    }
                }
            }
        }
    }

    private void check(int channels, int kh, int outH, int outW, int extraH, int extraW, boolean room) {
        int inH = kh * outH + (kh == 2 ? extraH : 0);
        int inW = 2 * outW + extraW;
        int in = channels * inH * inW;
        int out = channels * outH * outW;
        int tail = room ? 2 * LANES * inW : 0;
        String where =
                "channels %d, kh %d, %dx%d from %dx%d, room %b".formatted(channels, kh, outH, outW, inH, inW, room);

        double[] x = values(3 + in + tail);
        double[] y = filled(2 + out + tail, 99.0);
        DoubleVectorPools.maxPoolPairs(x, 3, y, 2, channels, inH, inW, kh, outH, outW);
        double[] expected = filled(y.length, 99.0);
        for (int c = 0; c < channels; c++) {
            for (int oy = 0; oy < outH; oy++) {
                for (int ox = 0; ox < outW; ox++) {
                    double best = Double.NEGATIVE_INFINITY;
                    for (int r = 0; r < kh; r++) {
                        for (int t = 0; t < 2; t++) {
                            best = Math.max(best, x[3 + c * inH * inW + (oy * kh + r) * inW + 2 * ox + t]);
                        }
                    }
                    expected[2 + (c * outH + oy) * outW + ox] = best;
                }
            }
        }
        assertBits(expected, y, 0, 2 + out, "pool of " + where);

        double[] dy = values(1 + out + tail);
        double[] dx = filled(4 + in + tail, 77.0);
        DoubleVectorPools.maxPoolPairsGradient(dy, 1, x, 3, y, 2, dx, 4, channels, inH, inW, kh, outH, outW);
        double[] gradient = filled(dx.length, 77.0);
        java.util.Arrays.fill(gradient, 4, 4 + in, 0.0);
        for (int c = 0; c < channels; c++) {
            for (int oy = 0; oy < outH; oy++) {
                for (int ox = 0; ox < outW; ox++) {
                    double maximum = y[2 + (c * outH + oy) * outW + ox];
                    int at = -1;
                    double best = 0.0;
                    for (int r = 0; r < kh; r++) {
                        for (int t = 0; t < 2; t++) {
                            int i = c * inH * inW + (oy * kh + r) * inW + 2 * ox + t;
                            double v = x[3 + i];
                            boolean take = Double.isNaN(maximum) ? at < 0 || v > best : at < 0 && v == maximum;
                            if (take) {
                                at = i;
                                best = v;
                            }
                        }
                    }
                    gradient[4 + at] += dy[1 + (c * outH + oy) * outW + ox];
                }
            }
        }
        assertBits(gradient, dx, 0, dx.length, "gradient of " + where);
    }

    private static void assertBits(double[] expected, double[] actual, int from, int to, String what) {
        for (int i = from; i < to; i++) {
            assertEquals(
                    Double.doubleToRawLongBits(expected[i]), Double.doubleToRawLongBits(actual[i]), what + " at " + i);
        }
    }

    /** Small integers (ties), signed zeros and one NaN in about 200. */
    private double[] values(int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            int kind = random.nextInt(200);
            v[i] = kind == 0 ? Double.NaN : kind < 20 ? (kind % 2 == 0 ? 0.0 : -0.0) : random.nextInt(7) - 3;
        }
        return v;
    }

    private static double[] filled(int n, double value) {
        double[] v = new double[n];
        java.util.Arrays.fill(v, value);
        return v;
    }
}
