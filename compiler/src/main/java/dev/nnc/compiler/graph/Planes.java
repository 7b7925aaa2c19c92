package dev.nnc.compiler.graph;

import dev.nnc.compiler.semantic.Shape;

/**
 * The double reference loops of the window ops ({@link SpatialOp}), one channel plane at a
 * time, over {@link Window#forEachTap}. They define the meaning the generated code is tested
 * against, so they are written for clarity, not speed.
 */
final class Planes {
    private Planes() {}

    /** {@code y[c, i] = values[c]} for each channel {@code c} of planes of {@code plane} elements. */
    static void fill(double[] y, double[] values, int plane) {
        for (int c = 0; c < values.length; c++) {
            java.util.Arrays.fill(y, c * plane, (c + 1) * plane, values[c]);
        }
    }

    /** Receives one product of a convolution: flat positions in the output, weight and input. */
    @FunctionalInterface
    private interface Product {
        void at(int output, int weight, int input);
    }

    /**
     * Every product term of a convolution of {@code filters} filters over {@code input}, padding
     * left out: the one loop nest behind the convolution and both of its gradients, which differ
     * only in which of the three operands they accumulate into.
     */
    private static void eachProduct(Window window, Shape input, int filters, int outPlane, Product product) {
        int channels = input.dim(0);
        int inPlane = Window.plane(input);
        int taps = window.taps();
        for (int f = 0; f < filters; f++) {
            for (int c = 0; c < channels; c++) {
                int yAt = f * outPlane;
                int xAt = c * inPlane;
                int wAt = (f * channels + c) * taps;
                window.forEachTap(input, (o, k, i) -> {
                    if (i >= 0) {
                        product.at(yAt + o, wAt + k, xAt + i);
                    }
                });
            }
        }
    }

    /** {@code y[f] += Σ_c w[f, c] ⋆ x[c]} for {@code filters} output planes. */
    static void correlate(Window window, Shape input, double[] x, double[] w, double[] y, int filters) {
        eachProduct(window, input, filters, y.length / filters, (o, k, i) -> y[o] += w[k] * x[i]);
    }

    /** {@code dx[c] += Σ_f w[f, c] ⋆ᵀ dy[f]}: every tap sends its output's adjoint back. */
    static void correlateTransposed(Window window, Shape input, double[] dy, double[] w, double[] dx) {
        int filters = w.length / (input.dim(0) * window.taps());
        eachProduct(window, input, filters, dy.length / filters, (o, k, i) -> dx[i] += w[k] * dy[o]);
    }

    /** {@code dw[f, c, k] += Σ_o dy[f, o] x[c, tap(o, k)]}. */
    static void correlateWeights(Window window, Shape input, double[] dy, double[] x, double[] dw) {
        int filters = dw.length / (input.dim(0) * window.taps());
        eachProduct(window, input, filters, dy.length / filters, (o, k, i) -> dw[k] += dy[o] * x[i]);
    }

    /**
     * The flat position in {@code x} of the first maximum of each window of each channel, in
     * row-major window order; padding is never chosen. A window of NaN-free values always has one
     * (a max pool's padding is at most half its window, which the semantic stage checks).
     */
    static int[] argmax(Window window, Shape input, double[] x) {
        int channels = input.dim(0);
        int inPlane = Window.plane(input);
        int outPlane = Window.plane(window.output(input, channels));
        int[] argmax = new int[channels * outPlane];
        double[] best = new double[argmax.length];
        java.util.Arrays.fill(argmax, -1);
        for (int c = 0; c < channels; c++) {
            int xAt = c * inPlane;
            int yAt = c * outPlane;
            window.forEachTap(input, (o, k, i) -> {
                if (i >= 0 && (argmax[yAt + o] < 0 || x[xAt + i] > best[yAt + o])) {
                    argmax[yAt + o] = xAt + i;
                    best[yAt + o] = x[xAt + i];
                }
            });
        }
        return argmax;
    }

    /**
     * The largest element of each window of each channel, or NaN where the window holds a NaN
     * (as {@code torch.nn.MaxPool2d} gives, and so that a loss check sees it); padding is never
     * taken. Where no NaN is involved this is the element at {@link #argmax}.
     */
    static double[] maxima(Window window, Shape input, double[] x, Shape out) {
        int channels = input.dim(0);
        int inPlane = Window.plane(input);
        int outPlane = Window.plane(out);
        double[] y = new double[out.size()];
        java.util.Arrays.fill(y, Double.NEGATIVE_INFINITY);
        for (int c = 0; c < channels; c++) {
            int xAt = c * inPlane;
            int yAt = c * outPlane;
            window.forEachTap(input, (o, k, i) -> {
                if (i >= 0) {
                    y[yAt + o] = Math.max(y[yAt + o], x[xAt + i]);
                }
            });
        }
        return y;
    }

    /** {@code v} at each of the positions {@code at}. */
    static double[] pick(double[] v, int[] at) {
        double[] y = new double[at.length];
        for (int o = 0; o < y.length; o++) {
            y[o] = v[at[o]];
        }
        return y;
    }

    /** The mean of every window over all its taps, padding counted as zeros. */
    static double[] average(Window window, Shape input, double[] x, Shape out) {
        int channels = input.dim(0);
        int inPlane = Window.plane(input);
        int outPlane = Window.plane(out);
        double scale = 1.0 / window.taps();
        double[] y = new double[out.size()];
        for (int c = 0; c < channels; c++) {
            int xAt = c * inPlane;
            int yAt = c * outPlane;
            window.forEachTap(input, (o, k, i) -> {
                if (i >= 0) {
                    y[yAt + o] += x[xAt + i];
                }
            });
        }
        for (int o = 0; o < y.length; o++) {
            y[o] *= scale;
        }
        return y;
    }

    /** Each {@code dy} element divided by the window's taps, added to each input it averaged. */
    static double[] spreadAverage(Window window, Shape input, double[] dy) {
        int channels = input.dim(0);
        int inPlane = Window.plane(input);
        int outPlane = dy.length / channels;
        double scale = 1.0 / window.taps();
        double[] dx = new double[input.size()];
        for (int c = 0; c < channels; c++) {
            int xAt = c * inPlane;
            int yAt = c * outPlane;
            window.forEachTap(input, (o, k, i) -> {
                if (i >= 0) {
                    dx[xAt + i] += dy[yAt + o] * scale;
                }
            });
        }
        return dx;
    }
}
