package dev.nnc.runtime.vector;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Max pooling of double classes over windows of one or two rows by two columns at a stride of the
 * window, and its gradient: {@link VectorPools}' kernels over {@code double[]}, the same shuffles,
 * order of rows and vectors and results bit for bit the plain loops' (see that class for how and
 * why). The digits CNN's pools were about an eighth of its step in the plain loops. The two
 * precisions keep the same code twice for the reason {@link DoublePatchProducts} gives.
 */
public final class DoubleVectorPools {
    private static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    private static final int HALF = LANES / 2;
    /** Lane {@code i < HALF} takes lane {@code 2i}: the even columns of the first of two vectors. */
    private static final VectorShuffle<Double> EVENS_LOW = VectorShuffle.fromOp(SPECIES, i -> i < HALF ? 2 * i : 0);
    /** Lane {@code i >= HALF} takes lane {@code 2i - LANES}: the even columns of the second. */
    private static final VectorShuffle<Double> EVENS_HIGH =
            VectorShuffle.fromOp(SPECIES, i -> i >= HALF ? 2 * i - LANES : 0);

    private static final VectorShuffle<Double> ODDS_LOW = VectorShuffle.fromOp(SPECIES, i -> i < HALF ? 2 * i + 1 : 0);
    private static final VectorShuffle<Double> ODDS_HIGH =
            VectorShuffle.fromOp(SPECIES, i -> i >= HALF ? 2 * i + 1 - LANES : 0);
    /** Lane {@code i} takes lane {@code i / 2}, and {@code HALF + i / 2}: the halves of two vectors interleaved. */
    private static final VectorShuffle<Double> SPREAD_LOW = VectorShuffle.fromOp(SPECIES, i -> i / 2);

    private static final VectorShuffle<Double> SPREAD_HIGH = VectorShuffle.fromOp(SPECIES, i -> HALF + i / 2);
    /** Lane {@code i} takes lane {@code (i + HALF) mod LANES}: the two halves swapped. */
    private static final VectorShuffle<Double> SWAP_HALVES = VectorShuffle.fromOp(SPECIES, i -> (i + HALF) % LANES);
    /** Lane {@code i}'s index as a double, whose comparisons give the masks of lanes below a count. */
    private static final double[] LANE_INDICES = laneIndices(LANES);
    /** Lane {@code i}'s index within its half, as a double. */
    private static final double[] LANE_IN_HALF = laneIndices(HALF);

    private static final VectorMask<Double> HIGH_HALF = lanes(i -> i >= HALF);
    private static final VectorMask<Double> ODD_LANES = lanes(i -> i % 2 == 1);

    static {
        OperatorCaches.fill();
    }

    private DoubleVectorPools() {}

    /**
     * {@code y[yo + (c outH + oy) outW + ox]} = the largest of {@code x[xo + c inH inW + (oy kh + r)
     * inW + 2 ox + t]} over {@code r < kh}, {@code t < 2}: a max pool of windows {@code kh x 2} at
     * stride {@code (kh, 2)} without padding, {@code kh} one or two.
     */
    public static void maxPoolPairs(
            double[] x, int xo, double[] y, int yo, int channels, int inH, int inW, int kh, int outH, int outW) {
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
                DoubleVector a = DoubleVector.fromArray(SPECIES, x, top);
                DoubleVector b = DoubleVector.fromArray(SPECIES, x, next);
                if (kh == 2) {
                    a = a.max(DoubleVector.fromArray(SPECIES, x, top + inW));
                    b = b.max(DoubleVector.fromArray(SPECIES, x, next + inW));
                }
                DoubleVector maxima = a.rearrange(EVENS_LOW)
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
                    DoubleVector a = DoubleVector.fromArray(SPECIES, x, at);
                    DoubleVector b = DoubleVector.fromArray(SPECIES, x, at + LANES);
                    if (kh == 2) {
                        a = a.max(DoubleVector.fromArray(SPECIES, x, at + inW));
                        b = b.max(DoubleVector.fromArray(SPECIES, x, at + inW + LANES));
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
            double[] dy,
            int dyo,
            double[] x,
            int xo,
            double[] y,
            int yo,
            double[] dx,
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
    private static void bandMaxima(double[] x, int top, double[] y, int out, int inW, int kh, int from, int outW) {
        for (int ox = from; ox < outW; ox++) {
            int at = top + 2 * ox;
            double best = Math.max(x[at], x[at + 1]);
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
            double[] dy,
            int d,
            double[] x,
            int at,
            double[] y,
            int m,
            double[] dx,
            int to,
            int inW,
            int kh,
            int count) {
        VectorMask<Double> windows =
                DoubleVector.fromArray(SPECIES, LANE_INDICES, 0).compare(VectorOperators.LT, count - 0.5);
        DoubleVector maximum = DoubleVector.fromArray(SPECIES, y, m);
        DoubleVector zero = DoubleVector.zero(SPECIES);
        DoubleVector maxima = zero.blend(maximum, windows);
        if (maxima.compare(VectorOperators.NE, maxima).anyTrue()) {
            return false; // a NaN maximum
        }
        // 0 + dy, as the plain loops add it to a cleared gradient (-0 becomes +0); zero past the windows.
        DoubleVector left = zero.blend(zero.add(DoubleVector.fromArray(SPECIES, dy, d)), windows);
        for (int r = 0; r < kh; r++) {
            DoubleVector a = DoubleVector.fromArray(SPECIES, x, at + r * inW);
            DoubleVector b = DoubleVector.fromArray(SPECIES, x, at + r * inW + LANES);
            VectorMask<Double> first = a.rearrange(EVENS_LOW)
                    .blend(b.rearrange(EVENS_HIGH), HIGH_HALF)
                    .compare(VectorOperators.EQ, maximum);
            DoubleVector even = zero.blend(left, first);
            left = left.blend(zero, first);
            VectorMask<Double> second = a.rearrange(ODDS_LOW)
                    .blend(b.rearrange(ODDS_HIGH), HIGH_HALF)
                    .compare(VectorOperators.EQ, maximum);
            DoubleVector odd = zero.blend(left, second);
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
            double[] dy,
            int d,
            double[] x,
            int xo,
            double[] y,
            int m,
            double[] dx,
            int dxo,
            int top,
            int next,
            int inW,
            int kh,
            int outW) {
        VectorMask<Double> windows =
                DoubleVector.fromArray(SPECIES, LANE_IN_HALF, 0).compare(VectorOperators.LT, outW - 0.5);
        // The outputs of both bands, the next band's moved into the high half (a call here boxed them).
        DoubleVector maximum = DoubleVector.fromArray(SPECIES, y, m)
                .blend(DoubleVector.fromArray(SPECIES, y, m + outW).rearrange(SWAP_HALVES), HIGH_HALF);
        DoubleVector zero = DoubleVector.zero(SPECIES);
        DoubleVector maxima = zero.blend(maximum, windows);
        if (maxima.compare(VectorOperators.NE, maxima).anyTrue()) {
            return false; // a NaN maximum
        }
        DoubleVector shares = DoubleVector.fromArray(SPECIES, dy, d)
                .blend(DoubleVector.fromArray(SPECIES, dy, d + outW).rearrange(SWAP_HALVES), HIGH_HALF);
        DoubleVector left = zero.blend(zero.add(shares), windows);
        DoubleVector a = DoubleVector.fromArray(SPECIES, x, xo + top);
        DoubleVector b = DoubleVector.fromArray(SPECIES, x, xo + next);
        VectorMask<Double> first =
                a.rearrange(EVENS_LOW).blend(b.rearrange(EVENS_HIGH), HIGH_HALF).compare(VectorOperators.EQ, maximum);
        DoubleVector even = zero.blend(left, first);
        left = left.blend(zero, first);
        VectorMask<Double> second =
                a.rearrange(ODDS_LOW).blend(b.rearrange(ODDS_HIGH), HIGH_HALF).compare(VectorOperators.EQ, maximum);
        DoubleVector odd = zero.blend(left, second);
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
        a = DoubleVector.fromArray(SPECIES, x, xo + top + inW);
        b = DoubleVector.fromArray(SPECIES, x, xo + next + inW);
        first = a.rearrange(EVENS_LOW).blend(b.rearrange(EVENS_HIGH), HIGH_HALF).compare(VectorOperators.EQ, maximum);
        DoubleVector belowEven = zero.blend(left, first);
        left = left.blend(zero, first);
        second = a.rearrange(ODDS_LOW).blend(b.rearrange(ODDS_HIGH), HIGH_HALF).compare(VectorOperators.EQ, maximum);
        DoubleVector belowOdd = zero.blend(left, second);
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
            double[] dy,
            int d,
            double[] x,
            int at,
            double[] y,
            int m,
            double[] dx,
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
    private static void windowGradient(
            double g, double[] x, int at, double maximum, double[] dx, int to, int inW, int kh) {
        if (Double.isNaN(maximum)) {
            nanWindowGradient(g, x, at, dx, to, inW, kh);
            return;
        }
        long target = Double.doubleToRawLongBits(maximum + 0.0);
        long left = Double.doubleToRawLongBits(0.0 + g);
        for (int r = 0; r < kh; r++) {
            for (int t = 0; t < 2; t++) {
                long miss = Double.doubleToRawLongBits(x[at + r * inW + t] + 0.0) ^ target;
                long hit = ~((miss | -miss) >> 63);
                dx[to + r * inW + t] = Double.longBitsToDouble(left & hit);
                left &= ~hit;
            }
        }
    }

    /** A window of {@link #windowGradient} whose maximum is NaN. */
    private static void nanWindowGradient(double g, double[] x, int at, double[] dx, int to, int inW, int kh) {
        int chosen = 0;
        double best = x[at];
        for (int r = 0; r < kh; r++) {
            for (int t = 0; t < 2; t++) {
                double v = x[at + r * inW + t];
                if (v > best) {
                    chosen = r * inW + t;
                    best = v;
                }
                dx[to + r * inW + t] = 0.0;
            }
        }
        dx[to + chosen] = 0.0 + g;
    }

    /** Zero in the rows from {@code rows} and the columns from {@code cols} of a plane: inputs under no window. */
    private static void clearUncovered(double[] dx, int plane, int inH, int inW, int rows, int cols) {
        for (int r = 0; r < rows && cols < inW; r++) {
            java.util.Arrays.fill(dx, plane + r * inW + cols, plane + (r + 1) * inW, 0.0);
        }
        java.util.Arrays.fill(dx, plane + rows * inW, plane + inH * inW, 0.0);
    }

    private static double[] laneIndices(int period) {
        double[] indices = new double[LANES];
        for (int i = 0; i < LANES; i++) {
            indices[i] = i % period;
        }
        return indices;
    }

    private static VectorMask<Double> lanes(java.util.function.IntPredicate set) {
        boolean[] bits = new boolean[LANES];
        for (int i = 0; i < LANES; i++) {
            bits[i] = set.test(i);
        }
        return VectorMask.fromArray(SPECIES, bits, 0);
    }
}
