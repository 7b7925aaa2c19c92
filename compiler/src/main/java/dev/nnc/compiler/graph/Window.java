package dev.nnc.compiler.graph;

import dev.nnc.compiler.diagnostic.InternalCompilerError;
import dev.nnc.compiler.semantic.Shape;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Where a convolution or pooling window goes over the trailing one or two (spatial) dimensions
 * of its input: PyTorch's {@code kernel_size}, {@code stride}, {@code padding} (here split into
 * the padding before and after, since {@code padding = same} with an even extent pads more
 * after) and {@code dilation}, one entry per spatial dimension. The leading dimension is the
 * channel.
 *
 * <p>Output size per dimension, PyTorch's formula: {@code floor((in + padBegin + padEnd -
 * dilation (kernel - 1) - 1) / stride) + 1}. A window sees padding as missing: convolutions and
 * average pools read zeros there, max pools skip it.
 */
public record Window(
        List<Integer> kernel,
        List<Integer> stride,
        List<Integer> padBegin,
        List<Integer> padEnd,
        List<Integer> dilation) {

    public Window {
        kernel = List.copyOf(kernel);
        stride = List.copyOf(stride);
        padBegin = List.copyOf(padBegin);
        padEnd = List.copyOf(padEnd);
        dilation = List.copyOf(dilation);
        int rank = kernel.size();
        if (rank < 1
                || rank > 2
                || stride.size() != rank
                || padBegin.size() != rank
                || padEnd.size() != rank
                || dilation.size() != rank) {
            throw new InternalCompilerError(
                    "malformed window " + kernel + " " + stride + " " + padBegin + " " + padEnd + " " + dilation);
        }
    }

    /** A window of {@code kernel} moved by {@code stride}, without padding or dilation. */
    public static Window of(List<Integer> kernel, List<Integer> stride) {
        List<Integer> zeros = kernel.stream().map(k -> 0).toList();
        List<Integer> ones = kernel.stream().map(k -> 1).toList();
        return new Window(kernel, stride, zeros, zeros, ones);
    }

    /** Number of spatial dimensions: 1 for signals {@code [C, L]}, 2 for images {@code [C, H, W]}. */
    public int spatialRank() {
        return kernel.size();
    }

    /** Elements in one window. */
    public int taps() {
        return kernel.stream().mapToInt(Integer::intValue).reduce(1, (a, b) -> a * b);
    }

    /** Output extent along spatial dimension {@code axis} for an input extent {@code in}; may be < 1. */
    public int outputSize(int axis, int in) {
        int span = dilation.get(axis) * (kernel.get(axis) - 1) + 1;
        int padded = in + padBegin.get(axis) + padEnd.get(axis);
        return padded < span ? 0 : (padded - span) / stride.get(axis) + 1;
    }

    /** The shape of {@code channels} output maps for an input of shape {@code input}. */
    public Shape output(Shape input, int channels) {
        int[] dims = new int[1 + spatialRank()];
        dims[0] = channels;
        for (int axis = 0; axis < spatialRank(); axis++) {
            dims[1 + axis] = outputSize(axis, spatialDim(input, axis));
        }
        return Shape.of(dims);
    }

    /** The shape of a convolution weight over this window: {@code [filters, channels, *kernel]}. */
    public Shape weight(int filters, int channels) {
        int[] dims = new int[2 + spatialRank()];
        dims[0] = filters;
        dims[1] = channels;
        for (int axis = 0; axis < spatialRank(); axis++) {
            dims[2 + axis] = kernel.get(axis);
        }
        return Shape.of(dims);
    }

    /** Whether {@code input} is a [C, spatial...] tensor this window gives a non-empty output on. */
    public boolean fits(Shape input) {
        if (input.rank() != 1 + spatialRank()) {
            return false;
        }
        for (int axis = 0; axis < spatialRank(); axis++) {
            if (outputSize(axis, spatialDim(input, axis)) < 1) {
                return false;
            }
        }
        return true;
    }

    private static int spatialDim(Shape input, int axis) {
        return input.dim(1 + axis);
    }

    /** Elements of one channel of {@code shape}: the product of its spatial dimensions. */
    static int plane(Shape shape) {
        return shape.size() / shape.dim(0);
    }

    /** Receives one tap: output position, position in the window, input position (or -1 in padding). */
    @FunctionalInterface
    interface Tap {
        void at(int output, int offset, int input);
    }

    /**
     * Calls {@code tap} for every output position of one channel plane and every position in its
     * window, in row-major order of both; positions are flat within a plane. The taps that fall
     * into padding get input position -1.
     */
    void forEachTap(Shape input, Tap tap) {
        boolean twoD = spatialRank() == 2;
        int inH = twoD ? input.dim(1) : 1;
        int inW = input.dim(twoD ? 2 : 1);
        int kh = twoD ? kernel.get(0) : 1;
        int sh = twoD ? stride.get(0) : 1;
        int ph = twoD ? padBegin.get(0) : 0;
        int dh = twoD ? dilation.get(0) : 1;
        int w = spatialRank() - 1;
        int kw = kernel.get(w);
        int sw = stride.get(w);
        int pw = padBegin.get(w);
        int dw = dilation.get(w);
        int outH = twoD ? outputSize(0, inH) : 1;
        int outW = outputSize(w, inW);
        for (int oy = 0; oy < outH; oy++) {
            for (int ox = 0; ox < outW; ox++) {
                int output = oy * outW + ox;
                for (int ky = 0; ky < kh; ky++) {
                    int iy = oy * sh - ph + ky * dh;
                    for (int kx = 0; kx < kw; kx++) {
                        int ix = ox * sw - pw + kx * dw;
                        boolean inside = iy >= 0 && iy < inH && ix >= 0 && ix < inW;
                        tap.at(output, ky * kw + kx, inside ? iy * inW + ix : -1);
                    }
                }
            }
        }
    }

    /** {@code k=3x3 s=1x1 p=1x1/1x1 d=1x1}, for mnemonics. */
    String describe() {
        return "k=" + join(kernel) + " s=" + join(stride) + " p=" + join(padBegin) + "/" + join(padEnd) + " d="
                + join(dilation);
    }

    private static String join(List<Integer> values) {
        return values.stream().map(String::valueOf).collect(Collectors.joining("x"));
    }
}
