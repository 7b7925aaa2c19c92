package dev.nnc.runtime.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Max pooling of float classes over windows of one or two rows by two columns at a stride of the
 * window (LeNet-5's and most CNNs' {@code max_pool2d(x, 2)}, and {@code max_pool1d(x, 2)}), and
 * its gradient, a vector of outputs at a time. Generated code calls these only when {@link
 * dev.nnc.runtime.Vectorization#ENABLED} is true, for pools without padding.
 *
 * <p>Why: the plain loops compute each window by scalar {@code Math.max} and find the gradient's
 * position by four comparisons per window, a few nanoseconds each; LeNet-5's first pool has 75,264
 * windows in a step of 64 samples, and its pools took a fifth of the step. Here two vectors of a
 * row's inputs are split into their even and odd columns (two shuffles and a blend each), so that
 * each window's taps are the same lane of four vectors.
 *
 * <p>The results are the plain loops', bit for bit: the largest of each window as {@code
 * Math.max} finds it (the vector maximum has its semantics: a NaN wins, {@code +0} is above
 * {@code -0}), and the gradient of each window at its first element in row-major order equal to
 * the stored maximum, {@code 0 + dy} there and {@code +0} at the window's other elements. A
 * vector of windows of which one holds a NaN maximum is done by the scalar rule of the plain
 * loops, which a NaN cannot be compared under. Inputs under no window (an odd last row or column)
 * get a zero gradient.
 *
 * <p>A vector of outputs may pass the end of an output row; what it writes past it (the next
 * row's outputs, or zeros past a row of input gradients) is written again, correctly, by a later
 * vector: the rows are done in order and a pair of input rows from its last vector to its first,
 * so that a top row's vector passing into the bottom row lands where the bottom row's first
 * vector is written after it. Near the end of an array the rest of the row is done by elements.
 */
public final class VectorPools {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    private static final int HALF = LANES / 2;
    /** Lane {@code i < HALF} takes lane {@code 2i}: the even columns of the first of two vectors. */
    private static final VectorShuffle<Float> EVENS_LOW = VectorShuffle.fromOp(SPECIES, i -> i < HALF ? 2 * i : 0);
    /** Lane {@code i >= HALF} takes lane {@code 2i - LANES}: the even columns of the second. */
    private static final VectorShuffle<Float> EVENS_HIGH =
            VectorShuffle.fromOp(SPECIES, i -> i >= HALF ? 2 * i - LANES : 0);

    private static final VectorShuffle<Float> ODDS_LOW = VectorShuffle.fromOp(SPECIES, i -> i < HALF ? 2 * i + 1 : 0);
    private static final VectorShuffle<Float> ODDS_HIGH =
            VectorShuffle.fromOp(SPECIES, i -> i >= HALF ? 2 * i + 1 - LANES : 0);
    /** Lane {@code i} takes lane {@code i / 2}, and {@code HALF + i / 2}: the halves of two vectors interleaved. */
    private static final VectorShuffle<Float> SPREAD_LOW = VectorShuffle.fromOp(SPECIES, i -> i / 2);

    private static final VectorShuffle<Float> SPREAD_HIGH = VectorShuffle.fromOp(SPECIES, i -> HALF + i / 2);
    /** Lane {@code i} takes lane {@code (i + HALF) mod LANES}: the two halves swapped. */
    private static final VectorShuffle<Float> SWAP_HALVES = VectorShuffle.fromOp(SPECIES, i -> (i + HALF) % LANES);
    /** Lane {@code i}'s index as a float, whose comparisons give the masks of lanes below a count. */
    private static final float[] LANE_INDICES = laneIndices(LANES);
    /** Lane {@code i}'s index within its half, as a float. */
    private static final float[] LANE_IN_HALF = laneIndices(HALF);

    private static final VectorMask<Float> HIGH_HALF = lanes(i -> i >= HALF);
    private static final VectorMask<Float> ODD_LANES = lanes(i -> i % 2 == 1);

    static {
        OperatorCaches.fill();
    }

    private VectorPools() {}

    /**
     * {@code y[yo + (c outH + oy) outW + ox]} = the largest of {@code x[xo + c inH inW + (oy kh + r)
     * inW + 2 ox + t]} over {@code r < kh}, {@code t < 2}: a max pool of windows {@code kh x 2} at
     * stride {@code (kh, 2)} without padding, {@code kh} one or two.
     */
    public static void maxPoolPairs(
            float[] x, int xo, float[] y, int yo, int channels, int inH, int inW, int kh, int outH, int outW) {
        int bands = channels * outH;
        int yEnd = yo + bands * outW;
        int band = 0;
        if (outW <= HALF) {
            // Two bands of windows to a vector: the first in the low half of its lanes, the next in the high.
            for (; band + 1 < bands; band += 2) {
                int top = xo + input(band, inH, inW, kh, outH);
                int next = xo + input(band + 1, inH, inW, kh, outH);
                int out = yo + band * outW;
                if (next + (kh - 1) * inW + LANES > x.length || out + outW + LANES > yEnd) {
                    break;
                }
                FloatVector a = FloatVector.fromArray(SPECIES, x, top);
                FloatVector b = FloatVector.fromArray(SPECIES, x, next);
                if (kh == 2) {
                    a = a.max(FloatVector.fromArray(SPECIES, x, top + inW));
                    b = b.max(FloatVector.fromArray(SPECIES, x, next + inW));
                }
                FloatVector maxima = a.rearrange(EVENS_LOW)
                        .blend(b.rearrange(EVENS_HIGH), HIGH_HALF)
                        .max(a.rearrange(ODDS_LOW).blend(b.rearrange(ODDS_HIGH), HIGH_HALF));
                maxima.intoArray(y, out);
                maxima.rearrange(SWAP_HALVES).intoArray(y, out + outW);
            }
        } else {
            for (; band < bands; band++) {
                int top = xo + input(band, inH, inW, kh, outH);
                int out = yo + band * outW;
                int ox = 0;
                for (; ox < outW; ox += LANES) {
                    int at = top + 2 * ox;
                    if (at + (kh - 1) * inW + 2 * LANES > x.length || out + ox + LANES > yEnd) {
                        break;
                    }
                    FloatVector a = FloatVector.fromArray(SPECIES, x, at);
                    FloatVector b = FloatVector.fromArray(SPECIES, x, at + LANES);
                    if (kh == 2) {
                        a = a.max(FloatVector.fromArray(SPECIES, x, at + inW));
                        b = b.max(FloatVector.fromArray(SPECIES, x, at + inW + LANES));
                    }
                    a.rearrange(EVENS_LOW)
                            .blend(b.rearrange(EVENS_HIGH), HIGH_HALF)
                            .max(a.rearrange(ODDS_LOW).blend(b.rearrange(ODDS_HIGH), HIGH_HALF))
                            .intoArray(y, out + ox);
                }
                bandMaxima(x, top, y, out, inW, kh, ox, outW);
            }
        }
        for (; band < bands; band++) {
            bandMaxima(x, xo + input(band, inH, inW, kh, outH), y, yo + band * outW, inW, kh, 0, outW);
        }
    }

    /**
     * {@code dx[dxo..]}: the gradient of {@link #maxPoolPairs} given the pool's output {@code y} and
     * its gradient {@code dy}: {@code 0 + dy} of each window at its first element equal to the
     * window's maximum, {@code +0} at every other input.
     */
    public static void maxPoolPairsGradient(
            float[] dy,
            int dyo,
            float[] x,
            int xo,
            float[] y,
            int yo,
            float[] dx,
            int dxo,
            int channels,
            int inH,
            int inW,
            int kh,
            int outH,
            int outW) {
        int bands = channels * outH;
        int dxEnd = dxo + channels * inH * inW;
        int band = 0;
        if (outW <= HALF) {
            for (; band + 1 < bands; band += 2) {
                int top = input(band, inH, inW, kh, outH);
                int next = input(band + 1, inH, inW, kh, outH);
                int out = band * outW;
                int last = next + (kh - 1) * inW + LANES;
                if (xo + last > x.length
                        || dxo + last > dxEnd
                        || yo + out + outW + LANES > y.length
                        || dyo + out + outW + LANES > dy.length) {
                    break;
                }
                if (!twoBandsGradient(dy, dyo + out, x, xo, y, yo + out, dx, dxo, top, next, inW, kh, outW)) {
                    bandGradient(dy, dyo + out, x, xo + top, y, yo + out, dx, dxo + top, inW, kh, 0, outW);
                    bandGradient(
                            dy, dyo + out + outW, x, xo + next, y, yo + out + outW, dx, dxo + next, inW, kh, 0, outW);
                }
            }
        } else {
            int groups = (outW + LANES - 1) / LANES;
            for (; band < bands; band++) {
                int row = input(band, inH, inW, kh, outH);
                int out = band * outW;
                // From the last vector to the first: a top row's vector that passes into the bottom row
                // lands where the bottom row's first vector is written after it.
                for (int group = groups - 1; group >= 0; group--) {
                    int ox = group * LANES;
                    int at = row + 2 * ox;
                    int last = at + (kh - 1) * inW + 2 * LANES;
                    boolean fits = xo + last <= x.length
                            && dxo + last <= dxEnd
                            && yo + out + ox + LANES <= y.length
                            && dyo + out + ox + LANES <= dy.length;
                    int count = Math.min(LANES, outW - ox);
                    if (!fits
                            || !windowsGradient(
                                    dy, dyo + out + ox, x, xo + at, y, yo + out + ox, dx, dxo + at, inW, kh, count)) {
                        bandGradient(dy, dyo + out, x, xo + row, y, yo + out, dx, dxo + row, inW, kh, ox, ox + count);
                    }
                }
            }
        }
        for (; band < bands; band++) {
            int row = input(band, inH, inW, kh, outH);
            bandGradient(dy, dyo + band * outW, x, xo + row, y, yo + band * outW, dx, dxo + row, inW, kh, 0, outW);
        }
        for (int c = 0; c < channels; c++) {
            clearUncovered(dx, dxo + c * inH * inW, inH, inW, kh * outH, 2 * outW);
        }
    }

    /** The offset in a sample's input of the first row of band {@code band}, the windows of one output row. */
    private static int input(int band, int inH, int inW, int kh, int outH) {
        return band / outH * inH * inW + band % outH * kh * inW;
    }

    /** Outputs {@code from} to {@code outW} of a band by elements, the window's taps in row-major order. */
    private static void bandMaxima(float[] x, int top, float[] y, int out, int inW, int kh, int from, int outW) {
        for (int ox = from; ox < outW; ox++) {
            int at = top + 2 * ox;
            float best = Math.max(x[at], x[at + 1]);
            if (kh == 2) {
                best = Math.max(best, Math.max(x[at + inW], x[at + inW + 1]));
            }
            y[out + ox] = best;
        }
    }

    /**
     * One vector of {@code count} windows of a band of {@link #maxPoolPairsGradient} from the
     * arrays' offsets; false, having written nothing, if one of their maxima is NaN.
     */
    private static boolean windowsGradient(
            float[] dy, int d, float[] x, int at, float[] y, int m, float[] dx, int to, int inW, int kh, int count) {
        VectorMask<Float> windows =
                FloatVector.fromArray(SPECIES, LANE_INDICES, 0).compare(VectorOperators.LT, count - 0.5f);
        FloatVector maximum = FloatVector.fromArray(SPECIES, y, m);
        FloatVector zero = FloatVector.zero(SPECIES);
        FloatVector maxima = zero.blend(maximum, windows);
        if (maxima.compare(VectorOperators.NE, maxima).anyTrue()) {
            return false; // a NaN maximum
        }
        // 0 + dy, as the plain loops add it to a cleared gradient (-0 becomes +0); zero past the windows.
        FloatVector left = zero.blend(zero.add(FloatVector.fromArray(SPECIES, dy, d)), windows);
        for (int r = 0; r < kh; r++) {
            FloatVector a = FloatVector.fromArray(SPECIES, x, at + r * inW);
            FloatVector b = FloatVector.fromArray(SPECIES, x, at + r * inW + LANES);
            VectorMask<Float> first = a.rearrange(EVENS_LOW)
                    .blend(b.rearrange(EVENS_HIGH), HIGH_HALF)
                    .compare(VectorOperators.EQ, maximum);
            FloatVector even = zero.blend(left, first);
            left = left.blend(zero, first);
            VectorMask<Float> second = a.rearrange(ODDS_LOW)
                    .blend(b.rearrange(ODDS_HIGH), HIGH_HALF)
                    .compare(VectorOperators.EQ, maximum);
            FloatVector odd = zero.blend(left, second);
            left = left.blend(zero, second);
            even.rearrange(SPREAD_LOW)
                    .blend(odd.rearrange(SPREAD_LOW), ODD_LANES)
                    .intoArray(dx, to + r * inW);
            even.rearrange(SPREAD_HIGH)
                    .blend(odd.rearrange(SPREAD_HIGH), ODD_LANES)
                    .intoArray(dx, to + r * inW + LANES);
        }
        return true;
    }

    /**
     * Two bands of {@code outW <= HALF} windows of {@link #maxPoolPairsGradient} in one vector, the
     * first band's in the low half of the lanes: rows from {@code top} and {@code next} of {@code
     * x} and {@code dx} (from {@code xo} and {@code dxo}), outputs from {@code y[m]} and {@code
     * dy[d]}, the next band's right after. False, having written nothing, if a maximum is NaN.
     */
    private static boolean twoBandsGradient(
            float[] dy,
            int d,
            float[] x,
            int xo,
            float[] y,
            int m,
            float[] dx,
            int dxo,
            int top,
            int next,
            int inW,
            int kh,
            int outW) {
        VectorMask<Float> windows =
                FloatVector.fromArray(SPECIES, LANE_IN_HALF, 0).compare(VectorOperators.LT, outW - 0.5f);
        // The outputs of both bands, the next band's moved into the high half (a call here boxed them).
        FloatVector maximum = FloatVector.fromArray(SPECIES, y, m)
                .blend(FloatVector.fromArray(SPECIES, y, m + outW).rearrange(SWAP_HALVES), HIGH_HALF);
        FloatVector zero = FloatVector.zero(SPECIES);
        FloatVector maxima = zero.blend(maximum, windows);
        if (maxima.compare(VectorOperators.NE, maxima).anyTrue()) {
            return false; // a NaN maximum
        }
        FloatVector shares = FloatVector.fromArray(SPECIES, dy, d)
                .blend(FloatVector.fromArray(SPECIES, dy, d + outW).rearrange(SWAP_HALVES), HIGH_HALF);
        FloatVector left = zero.blend(zero.add(shares), windows);
        FloatVector a = FloatVector.fromArray(SPECIES, x, xo + top);
        FloatVector b = FloatVector.fromArray(SPECIES, x, xo + next);
        VectorMask<Float> first =
                a.rearrange(EVENS_LOW).blend(b.rearrange(EVENS_HIGH), HIGH_HALF).compare(VectorOperators.EQ, maximum);
        FloatVector even = zero.blend(left, first);
        left = left.blend(zero, first);
        VectorMask<Float> second =
                a.rearrange(ODDS_LOW).blend(b.rearrange(ODDS_HIGH), HIGH_HALF).compare(VectorOperators.EQ, maximum);
        FloatVector odd = zero.blend(left, second);
        left = left.blend(zero, second);
        if (kh == 1) {
            even.rearrange(SPREAD_LOW)
                    .blend(odd.rearrange(SPREAD_LOW), ODD_LANES)
                    .intoArray(dx, dxo + top);
            even.rearrange(SPREAD_HIGH)
                    .blend(odd.rearrange(SPREAD_HIGH), ODD_LANES)
                    .intoArray(dx, dxo + next);
            return true;
        }
        a = FloatVector.fromArray(SPECIES, x, xo + top + inW);
        b = FloatVector.fromArray(SPECIES, x, xo + next + inW);
        first = a.rearrange(EVENS_LOW).blend(b.rearrange(EVENS_HIGH), HIGH_HALF).compare(VectorOperators.EQ, maximum);
        FloatVector belowEven = zero.blend(left, first);
        left = left.blend(zero, first);
        second = a.rearrange(ODDS_LOW).blend(b.rearrange(ODDS_HIGH), HIGH_HALF).compare(VectorOperators.EQ, maximum);
        FloatVector belowOdd = zero.blend(left, second);
        // In the order of the addresses, each vector's lanes past its row written again by the next.
        even.rearrange(SPREAD_LOW).blend(odd.rearrange(SPREAD_LOW), ODD_LANES).intoArray(dx, dxo + top);
        belowEven
                .rearrange(SPREAD_LOW)
                .blend(belowOdd.rearrange(SPREAD_LOW), ODD_LANES)
                .intoArray(dx, dxo + top + inW);
        even.rearrange(SPREAD_HIGH).blend(odd.rearrange(SPREAD_HIGH), ODD_LANES).intoArray(dx, dxo + next);
        belowEven
                .rearrange(SPREAD_HIGH)
                .blend(belowOdd.rearrange(SPREAD_HIGH), ODD_LANES)
                .intoArray(dx, dxo + next + inW);
        return true;
    }

    /** Windows {@code from} to {@code to} of a band of {@link #maxPoolPairsGradient} by elements. */
    private static void bandGradient(
            float[] dy,
            int d,
            float[] x,
            int at,
            float[] y,
            int m,
            float[] dx,
            int to,
            int inW,
            int kh,
            int from,
            int end) {
        for (int w = from; w < end; w++) {
            windowGradient(dy[d + w], x, at + 2 * w, y[m + w], dx, to + 2 * w, inW, kh);
        }
    }

    /**
     * One window of {@link #maxPoolPairsGradient} by elements: {@code 0 + g} at the first element
     * equal to the maximum, found without a branch (as the plain loops' {@code firstEqual}: the
     * comparisons go either way at random), or where the maximum is NaN by the plain loops'
     * search ({@code v > best} from the first element), which keeps a NaN only where it comes
     * first.
     */
    private static void windowGradient(float g, float[] x, int at, float maximum, float[] dx, int to, int inW, int kh) {
        if (Float.isNaN(maximum)) {
            nanWindowGradient(g, x, at, dx, to, inW, kh);
            return;
        }
        int target = Float.floatToRawIntBits(maximum + 0.0f);
        int left = Float.floatToRawIntBits(0.0f + g);
        for (int r = 0; r < kh; r++) {
            for (int t = 0; t < 2; t++) {
                int miss = Float.floatToRawIntBits(x[at + r * inW + t] + 0.0f) ^ target;
                int hit = ~((miss | -miss) >> 31);
                dx[to + r * inW + t] = Float.intBitsToFloat(left & hit);
                left &= ~hit;
            }
        }
    }

    /** A window of {@link #windowGradient} whose maximum is NaN. */
    private static void nanWindowGradient(float g, float[] x, int at, float[] dx, int to, int inW, int kh) {
        int chosen = 0;
        float best = x[at];
        for (int r = 0; r < kh; r++) {
            for (int t = 0; t < 2; t++) {
                float v = x[at + r * inW + t];
                if (v > best) {
                    chosen = r * inW + t;
                    best = v;
                }
                dx[to + r * inW + t] = 0.0f;
            }
        }
        dx[to + chosen] = 0.0f + g;
    }

    /** Zero in the rows from {@code rows} and the columns from {@code cols} of a plane: inputs under no window. */
    private static void clearUncovered(float[] dx, int plane, int inH, int inW, int rows, int cols) {
        for (int r = 0; r < rows && cols < inW; r++) {
            java.util.Arrays.fill(dx, plane + r * inW + cols, plane + (r + 1) * inW, 0.0f);
        }
        java.util.Arrays.fill(dx, plane + rows * inW, plane + inH * inW, 0.0f);
    }

    private static float[] laneIndices(int period) {
        float[] indices = new float[LANES];
        for (int i = 0; i < LANES; i++) {
            indices[i] = i % period;
        }
        return indices;
    }

    private static VectorMask<Float> lanes(java.util.function.IntPredicate set) {
        boolean[] bits = new boolean[LANES];
        for (int i = 0; i < LANES; i++) {
            bits[i] = set.test(i);
        }
        return VectorMask.fromArray(SPECIES, bits, 0);
    }
}
