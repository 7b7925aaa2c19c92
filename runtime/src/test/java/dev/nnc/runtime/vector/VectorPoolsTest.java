package dev.nnc.runtime.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The vector max pools against the plain loops' rules, bit for bit: the maximum by {@code
 * Math.max} over the window in row-major order, and the gradient at the first element equal to
 * it ({@code 0 + dy}, a NaN window by the search {@code v > best} from its first element), zero
 * elsewhere. The inputs are small integers, so that windows tie, with signed zeros and a few NaNs;
 * rows from one window to several vectors wide, odd rows and columns under no window, arrays that
 * end where the pool does (the last vectors by elements) or run on, and offsets into them. The
 * build runs these tests at the machine's vector length and at 256 and 128 bits too.
 */
class VectorPoolsTest {
    private static final int LANES = VectorProducts.lanes();
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

        float[] x = values(3 + in + tail);
        float[] y = filled(2 + out + tail, 99.0f);
        VectorPools.maxPoolPairs(x, 3, y, 2, channels, inH, inW, kh, outH, outW);
        float[] expected = filled(y.length, 99.0f);
        for (int c = 0; c < channels; c++) {
            for (int oy = 0; oy < outH; oy++) {
                for (int ox = 0; ox < outW; ox++) {
                    float best = Float.NEGATIVE_INFINITY;
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

        float[] dy = values(1 + out + tail);
        float[] dx = filled(4 + in + tail, 77.0f);
        VectorPools.maxPoolPairsGradient(dy, 1, x, 3, y, 2, dx, 4, channels, inH, inW, kh, outH, outW);
        float[] gradient = filled(dx.length, 77.0f);
        java.util.Arrays.fill(gradient, 4, 4 + in, 0.0f);
        for (int c = 0; c < channels; c++) {
            for (int oy = 0; oy < outH; oy++) {
                for (int ox = 0; ox < outW; ox++) {
                    float maximum = y[2 + (c * outH + oy) * outW + ox];
                    int at = -1;
                    float best = 0.0f;
                    for (int r = 0; r < kh; r++) {
                        for (int t = 0; t < 2; t++) {
                            int i = c * inH * inW + (oy * kh + r) * inW + 2 * ox + t;
                            float v = x[3 + i];
                            boolean take = Float.isNaN(maximum) ? at < 0 || v > best : at < 0 && v == maximum;
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

    private static void assertBits(float[] expected, float[] actual, int from, int to, String what) {
        for (int i = from; i < to; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]), what + " at " + i);
        }
    }

    /** Small integers (ties), signed zeros and one NaN in about 200. */
    private float[] values(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            int kind = random.nextInt(200);
            v[i] = kind == 0 ? Float.NaN : kind < 20 ? (kind % 2 == 0 ? 0.0f : -0.0f) : random.nextInt(7) - 3;
        }
        return v;
    }

    private static float[] filled(int n, float value) {
        float[] v = new float[n];
        java.util.Arrays.fill(v, value);
        return v;
    }
}
