package dev.nnc.compiler.loops;

import dev.nnc.compiler.graph.Window;
import dev.nnc.compiler.semantic.Shape;

/**
 * The extents of one window op, with a 1-D window seen as a 2-D one of height 1. All of it is
 * known when the code is generated.
 */
public record WindowGeometry(
        int channels,
        int inH,
        int inW,
        int outH,
        int outW,
        int kh,
        int kw,
        int sh,
        int sw,
        int ph,
        int pw,
        int dh,
        int dw) {

    public static WindowGeometry of(Window window, Shape input) {
        boolean twoD = window.spatialRank() == 2;
        int w = window.spatialRank() - 1;
        int inH = twoD ? input.dim(1) : 1;
        int inW = input.dim(1 + w);
        return new WindowGeometry(
                input.dim(0),
                inH,
                inW,
                twoD ? window.outputSize(0, inH) : 1,
                window.outputSize(w, inW),
                twoD ? window.kernel().get(0) : 1,
                window.kernel().get(w),
                twoD ? window.stride().get(0) : 1,
                window.stride().get(w),
                twoD ? window.padBegin().get(0) : 0,
                window.padBegin().get(w),
                twoD ? window.dilation().get(0) : 1,
                window.dilation().get(w));
    }

    public int inPlane() {
        return inH * inW;
    }

    public int outPlane() {
        return outH * outW;
    }

    /** Whether some tap of some output falls into the padding. */
    public boolean reachesPadding() {
        boolean rowsInside = ph == 0 && (outH - 1) * sh + (kh - 1) * dh <= inH - 1;
        boolean colsInside = pw == 0 && (outW - 1) * sw + (kw - 1) * dw <= inW - 1;
        return !(rowsInside && colsInside);
    }

    /**
     * Whether a convolution over this window is computed straight from its input rather than
     * through patches: where the patches of one sample would hold more than {@link
     * #DIRECT_PATCH_ELEMENTS} elements, or where the padding reaches past what the window spans
     * (then whole windows lie in the padding, and the patches are mostly zeros: NN0604 warns of
     * such a padding, and `padding = 256` on an 8x8 input with 256 channels would take 4.9 GB of
     * patches).
     */
    public boolean patchesTooLarge() {
        long patches = (long) channels * taps() * outPlane();
        return patches > DIRECT_PATCH_ELEMENTS || ph > dh * (kh - 1) || pw > dw * (kw - 1);
    }

    /**
     * The most elements a convolution's patches of one sample may hold: 128 MB of doubles. A
     * convolution runs several such arrays (patches by tap and by position, patch gradients), so
     * past this the memory, not the speed, decides; below it the products over patches are much
     * the faster (a 3x3 convolution of 64 channels on a 128x128 image stays with them).
     */
    public static final long DIRECT_PATCH_ELEMENTS = 1L << 24;

    public int taps() {
        return kh * kw;
    }

    /** {@code iy = oy·sh - ph + ky·dh}: the input row tap {@code ky} of output row {@code oy} reads. */
    Affine inputRow() {
        return Affine.of("oy").times(sh).plus(-ph).plus("ky", dh);
    }

    /** {@code ix = ox·sw - pw + kx·dw}. */
    Affine inputColumn() {
        return Affine.of("ox").times(sw).plus(-pw).plus("kx", dw);
    }

    /** {@code c·outPlane + oy·outW + ox}: the current output. */
    Affine output() {
        return Affine.of("c").times(outPlane()).plus("oy", outW).plus("ox", 1);
    }

    /** {@code oy·outW + ox}: the current output's position in its plane, a patch row's index. */
    Affine position() {
        return Affine.of("oy").times(outW).plus("ox", 1);
    }

    /** {@code (c·kh + ky)·kw + kx}: the current tap's place in a patch, the layout of a weight's row. */
    Affine tap() {
        return Affine.of("c").times(kh).plus("ky", 1).times(kw).plus("kx", 1);
    }

    /** {@code c·inPlane + iy·inW + ix}: the input the current tap reads. */
    Affine input() {
        return Affine.of("c").times(inPlane()).plus("iy", inW).plus("ix", 1);
    }
}
