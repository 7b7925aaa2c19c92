package dev.nnc.compiler.codegen;

import com.palantir.javapoet.CodeBlock;
import dev.nnc.compiler.diagnostic.InternalCompilerError;
import dev.nnc.compiler.graph.Node;
import dev.nnc.compiler.graph.SpatialOp;
import dev.nnc.compiler.graph.Window;
import dev.nnc.compiler.semantic.Shape;
import java.util.function.BiFunction;

/**
 * The Java loops of the stored window ops of {@link SpatialOp} (convolutions, pools, channel
 * sums) for one sample: reads and writes go through {@link KernelEmitter#ref} and {@link
 * KernelEmitter#slot}, so the same loops serve per-sample arrays and the rows of a tile.
 *
 * <p>A convolution runs tap by tap: for each filter, channel and position {@code (ky, kx)} in the
 * window, one weight is loaded and multiplied into every output position that tap reaches, a
 * counted loop along an output row ({@code y[o] += w * x[i]}). The output rows a tap reaches
 * inside the padding are cut off in the loop bounds (computed once per tap) instead of tested per
 * element, so the inner loop is branch-free. Pools test the padding per tap instead: their
 * windows are small and each output keeps a running maximum or sum in a local.
 */
final class WindowLoops {
    private final KernelEmitter kernel;
    private final Numeric numeric;
    private final String type;

    WindowLoops(KernelEmitter kernel, Numeric numeric) {
        this.kernel = kernel;
        this.numeric = numeric;
        this.type = numeric.type().toString();
    }

    /** Whether {@code node}'s op is one these loops compute (the others of the family are views). */
    static boolean computes(Node node) {
        return node.op() instanceof SpatialOp.Conv
                || node.op() instanceof SpatialOp.ConvInputGrad
                || node.op() instanceof SpatialOp.ConvWeightGrad
                || node.op() instanceof SpatialOp.MaxPool
                || node.op() instanceof SpatialOp.MaxPoolGrad
                || node.op() instanceof SpatialOp.MaxPoolPick
                || node.op() instanceof SpatialOp.AvgPool
                || node.op() instanceof SpatialOp.AvgPoolGrad
                || node.op() instanceof SpatialOp.ChannelSum;
    }

    /** The statements that compute {@code node} for the current sample. */
    CodeBlock emit(Node node) {
        if (node.op() instanceof SpatialOp.Conv conv) {
            return conv(node, conv);
        }
        if (node.op() instanceof SpatialOp.ConvInputGrad grad) {
            int filters = kernel.graph().node(node.arg(0)).shape().dim(0);
            return convInputGrad(node, new Geometry(grad.window(), grad.input(), filters));
        }
        if (node.op() instanceof SpatialOp.ConvWeightGrad grad) {
            return convWeightGrad(
                    node, new Geometry(grad.window(), grad.input(), node.shape().dim(0)));
        }
        if (node.op() instanceof SpatialOp.MaxPool pool) {
            Geometry g = new Geometry(pool.window(), pool.input(), pool.input().dim(0));
            return maxima(node, g, node.arg(0), (at, best) -> CodeBlock.of("$L = $N;\n", out(node, g.output()), best));
        }
        if (node.op() instanceof SpatialOp.MaxPoolPick pick) {
            Geometry g = new Geometry(pick.window(), pick.input(), pick.input().dim(0));
            return maxima(
                    node,
                    g,
                    node.arg(1),
                    (at, best) -> CodeBlock.of(
                            "$L = $L;\n", out(node, g.output()), read(node.arg(0), CodeBlock.of("$N", at))));
        }
        if (node.op() instanceof SpatialOp.MaxPoolGrad grad) {
            Geometry g = new Geometry(grad.window(), grad.input(), grad.input().dim(0));
            return CodeBlock.builder()
                    .add(clear(node))
                    .add(maxima(
                            node,
                            g,
                            node.arg(1),
                            (at, best) -> CodeBlock.of(
                                    "$L += $L;\n", out(node, CodeBlock.of("$N", at)), read(node.arg(0), g.output()))))
                    .build();
        }
        if (node.op() instanceof SpatialOp.AvgPool pool) {
            return average(
                    node, new Geometry(pool.window(), pool.input(), pool.input().dim(0)));
        }
        if (node.op() instanceof SpatialOp.AvgPoolGrad grad) {
            return spreadAverage(
                    node, new Geometry(grad.window(), grad.input(), grad.input().dim(0)));
        }
        if (node.op() instanceof SpatialOp.ChannelSum) {
            return channelSums(node);
        }
        throw new InternalCompilerError("no loops for " + node.op().mnemonic());
    }

    // y[f] = bias[f]; then y[f][o] += w[f, c, ky, kx] * x[c][i] tap by tap
    private CodeBlock conv(Node node, SpatialOp.Conv conv) {
        Geometry g = new Geometry(conv.window(), conv.input(), node.shape().dim(0));
        CodeBlock start = conv.bias() ? read(node.arg(2), CodeBlock.of("f")) : CodeBlock.of("$L", numeric.literal(0));
        CodeBlock.Builder code = CodeBlock.builder()
                .beginControlFlow("for (int f = 0; f < $L; f++)", g.filters)
                .addStatement("$L start = $L", type, start)
                .beginControlFlow("for (int o = 0; o < $L; o++)", g.outPlane)
                .addStatement("$L = start", out(node, CodeBlock.of("f * $L + o", g.outPlane)))
                .endControlFlow()
                .endControlFlow();
        CodeBlock load = CodeBlock.of("$L w = $L;\n", type, read(node.arg(1), g.weightIndex()));
        return code.beginControlFlow("for (int f = 0; f < $L; f++)", g.filters)
                .beginControlFlow("for (int c = 0; c < $L; c++)", g.channels)
                .add(g.taps(
                        load,
                        (o, i) -> CodeBlock.of(
                                "$L += w * $L;\n",
                                out(node, CodeBlock.of("f * $L + $L", g.outPlane, o)),
                                read(node.arg(0), CodeBlock.of("c * $L + $L", g.inPlane, i))),
                        CodeBlock.of("")))
                .endControlFlow()
                .endControlFlow()
                .build();
    }

    // dx = 0; then dx[c][i] += w[f, c, ky, kx] * dy[f][o] tap by tap
    private CodeBlock convInputGrad(Node node, Geometry g) {
        CodeBlock load = CodeBlock.of("$L w = $L;\n", type, read(node.arg(1), g.weightIndex()));
        return CodeBlock.builder()
                .add(clear(node))
                .beginControlFlow("for (int f = 0; f < $L; f++)", g.filters)
                .beginControlFlow("for (int c = 0; c < $L; c++)", g.channels)
                .add(g.taps(
                        load,
                        (o, i) -> CodeBlock.of(
                                "$L += w * $L;\n",
                                out(node, CodeBlock.of("c * $L + $L", g.inPlane, i)),
                                read(node.arg(0), CodeBlock.of("f * $L + $L", g.outPlane, o))),
                        CodeBlock.of("")))
                .endControlFlow()
                .endControlFlow()
                .build();
    }

    // dw[f, c, ky, kx] = Σ_o dy[f][o] * x[c][i]
    private CodeBlock convWeightGrad(Node node, Geometry g) {
        return CodeBlock.builder()
                .beginControlFlow("for (int f = 0; f < $L; f++)", g.filters)
                .beginControlFlow("for (int c = 0; c < $L; c++)", g.channels)
                .add(g.taps(
                        CodeBlock.of("$L s = $L;\n", type, numeric.literal(0)),
                        (o, i) -> CodeBlock.of(
                                "s += $L * $L;\n",
                                read(node.arg(0), CodeBlock.of("f * $L + $L", g.outPlane, o)),
                                read(node.arg(1), CodeBlock.of("c * $L + $L", g.inPlane, i))),
                        CodeBlock.of("$L = s;\n", out(node, g.weightIndex()))))
                .endControlFlow()
                .endControlFlow()
                .build();
    }

    /**
     * For each output of each channel, the first maximum of its window of {@code keys} in
     * row-major order ({@code at}, its flat position, and {@code best}, its value), handed to
     * {@code use}. Padding is never a maximum.
     */
    private CodeBlock maxima(Node node, Geometry g, int keys, BiFunction<String, String, CodeBlock> use) {
        CodeBlock.Builder code = g.eachOutput();
        code.addStatement("int at = -1").addStatement("$L best = $L", type, numeric.literal(0));
        g.eachTap(code, "c * " + g.inPlane);
        code.addStatement("$L v = $L", type, read(keys, CodeBlock.of("i")))
                .beginControlFlow("if (at < 0 || v > best)")
                .addStatement("best = v")
                .addStatement("at = i")
                .endControlFlow();
        g.endTaps(code);
        return code.add(use.apply("at", "best")).add(g.endOutputs()).build();
    }

    // y[c][o] = (Σ over the window's taps inside the input) / taps
    private CodeBlock average(Node node, Geometry g) {
        CodeBlock.Builder code = g.eachOutput();
        code.addStatement("$L s = $L", type, numeric.literal(0));
        g.eachTap(code, "c * " + g.inPlane);
        code.addStatement("s += $L", read(node.arg(0), CodeBlock.of("i")));
        g.endTaps(code);
        return code.addStatement("$L = s / $L", out(node, g.output()), numeric.literal(g.taps))
                .add(g.endOutputs())
                .build();
    }

    // dx = 0; dx[c][i] += dy[c][o] / taps for each tap of each output inside the input
    private CodeBlock spreadAverage(Node node, Geometry g) {
        CodeBlock.Builder code =
                CodeBlock.builder().add(clear(node)).add(g.eachOutput().build());
        code.addStatement("$L share = $L / $L", type, read(node.arg(0), g.output()), numeric.literal(g.taps));
        g.eachTap(code, "c * " + g.inPlane);
        code.addStatement("$L += share", out(node, CodeBlock.of("i")));
        g.endTaps(code);
        return code.add(g.endOutputs()).build();
    }

    // y[c] = Σ_i x[c][i]
    private CodeBlock channelSums(Node node) {
        Shape in = kernel.graph().node(node.arg(0)).shape();
        int plane = in.size() / in.dim(0);
        return CodeBlock.builder()
                .beginControlFlow("for (int c = 0; c < $L; c++)", in.dim(0))
                .addStatement("$L s = $L", type, numeric.literal(0))
                .beginControlFlow("for (int i = 0; i < $L; i++)", plane)
                .addStatement("s += $L", read(node.arg(0), CodeBlock.of("c * $L + i", plane)))
                .endControlFlow()
                .addStatement("$L = s", out(node, CodeBlock.of("c")))
                .endControlFlow()
                .build();
    }

    private CodeBlock clear(Node node) {
        return CodeBlock.builder()
                .beginControlFlow("for (int i = 0; i < $L; i++)", node.shape().size())
                .addStatement("$L = $L", out(node, CodeBlock.of("i")), numeric.literal(0))
                .endControlFlow()
                .build();
    }

    private CodeBlock out(Node node, CodeBlock flat) {
        return kernel.slot(node.id(), flat);
    }

    private CodeBlock read(int id, CodeBlock flat) {
        return kernel.ref(id, Index.of(flat, kernel.graph().node(id).shape()));
    }

    /**
     * The extents of one window op, with a 1-D window seen as a 2-D one of height 1, and the loop
     * skeletons over them. All of it is known when the code is generated.
     */
    private static final class Geometry {
        final int channels;
        final int filters;
        final int inH;
        final int inW;
        final int outH;
        final int outW;
        final int kh;
        final int kw;
        final int sh;
        final int sw;
        final int ph;
        final int pw;
        final int dh;
        final int dw;
        final int inPlane;
        final int outPlane;
        final int taps;

        Geometry(Window window, Shape input, int filters) {
            boolean twoD = window.spatialRank() == 2;
            int w = window.spatialRank() - 1;
            this.channels = input.dim(0);
            this.filters = filters;
            this.inH = twoD ? input.dim(1) : 1;
            this.inW = input.dim(1 + w);
            this.kh = twoD ? window.kernel().get(0) : 1;
            this.kw = window.kernel().get(w);
            this.sh = twoD ? window.stride().get(0) : 1;
            this.sw = window.stride().get(w);
            this.ph = twoD ? window.padBegin().get(0) : 0;
            this.pw = window.padBegin().get(w);
            this.dh = twoD ? window.dilation().get(0) : 1;
            this.dw = window.dilation().get(w);
            this.outH = twoD ? window.outputSize(0, inH) : 1;
            this.outW = window.outputSize(w, inW);
            this.inPlane = inH * inW;
            this.outPlane = outH * outW;
            this.taps = kh * kw;
        }

        /** Whether every tap of every output row lies inside the input: no padding reached. */
        boolean rowsInside() {
            return ph == 0 && (outH - 1) * sh + (kh - 1) * dh <= inH - 1;
        }

        boolean colsInside() {
            return pw == 0 && (outW - 1) * sw + (kw - 1) * dw <= inW - 1;
        }

        /** {@code ((f * C + c) * kh + ky) * kw + kx}: the weight of the current tap. */
        CodeBlock weightIndex() {
            return CodeBlock.of("(f * $L + c) * $L + ky * $L + kx", channels, taps, kw);
        }

        /** {@code c * outPlane + oy * outW + ox}: the current output of {@link #eachOutput}. */
        CodeBlock output() {
            return CodeBlock.of("c * $L + oy * $L + ox", outPlane, outW);
        }

        /**
         * Loops over the taps of the window, each with {@code before} (a weight's load), the rows
         * and columns of outputs the tap reaches inside the input, with {@code body} of the
         * output's and input's flat positions in their planes, and {@code after}.
         */
        CodeBlock taps(CodeBlock before, BiFunction<CodeBlock, CodeBlock, CodeBlock> body, CodeBlock after) {
            CodeBlock.Builder code = CodeBlock.builder().beginControlFlow("for (int ky = 0; ky < $L; ky++)", kh);
            boolean rowsClipped = !rowsInside();
            if (rowsClipped) {
                code.addStatement(
                                "int oyFrom = $T.max(0, $T.floorDiv($L - ky * $L + $L, $L))",
                                JavaLang.MATH,
                                JavaLang.MATH,
                                ph,
                                dh,
                                sh - 1,
                                sh)
                        .addStatement(
                                "int oyTo = $T.min($L, $T.floorDiv($L - ky * $L, $L) + 1)",
                                JavaLang.MATH,
                                outH,
                                JavaLang.MATH,
                                inH - 1 + ph,
                                dh,
                                sh);
            }
            code.beginControlFlow("for (int kx = 0; kx < $L; kx++)", kw);
            boolean colsClipped = !colsInside();
            if (colsClipped) {
                code.addStatement(
                                "int oxFrom = $T.max(0, $T.floorDiv($L - kx * $L + $L, $L))",
                                JavaLang.MATH,
                                JavaLang.MATH,
                                pw,
                                dw,
                                sw - 1,
                                sw)
                        .addStatement(
                                "int oxTo = $T.min($L, $T.floorDiv($L - kx * $L, $L) + 1)",
                                JavaLang.MATH,
                                outW,
                                JavaLang.MATH,
                                inW - 1 + pw,
                                dw,
                                sw);
            }
            code.add(before)
                    .beginControlFlow(
                            rowsClipped
                                    ? "for (int oy = oyFrom; oy < oyTo; oy++)"
                                    : "for (int oy = 0; oy < " + outH + "; oy++)")
                    .addStatement("int yRow = oy * $L", outW)
                    .addStatement("int xRow = (oy * $L - $L + ky * $L) * $L + kx * $L - $L", sh, ph, dh, inW, dw, pw)
                    .beginControlFlow(
                            colsClipped
                                    ? "for (int ox = oxFrom; ox < oxTo; ox++)"
                                    : "for (int ox = 0; ox < " + outW + "; ox++)")
                    .add(body.apply(CodeBlock.of("yRow + ox"), CodeBlock.of("xRow + ox * $L", sw)))
                    .endControlFlow()
                    .endControlFlow()
                    .add(after)
                    .endControlFlow()
                    .endControlFlow();
            return code.build();
        }

        /** Opens loops over channels and outputs: {@code c}, {@code oy}, {@code ox}. */
        CodeBlock.Builder eachOutput() {
            return CodeBlock.builder()
                    .beginControlFlow("for (int c = 0; c < $L; c++)", channels)
                    .beginControlFlow("for (int oy = 0; oy < $L; oy++)", outH)
                    .beginControlFlow("for (int ox = 0; ox < $L; ox++)", outW);
        }

        CodeBlock endOutputs() {
            return CodeBlock.builder()
                    .endControlFlow()
                    .endControlFlow()
                    .endControlFlow()
                    .build();
        }

        /**
         * Opens loops over the taps of the current output's window that fall inside the input,
         * with {@code i} the tap's flat position in the input ({@code base} plus its position in
         * the channel's plane).
         */
        void eachTap(CodeBlock.Builder code, String base) {
            code.beginControlFlow("for (int ky = 0; ky < $L; ky++)", kh)
                    .addStatement("int iy = oy * $L - $L + ky * $L", sh, ph, dh);
            if (!rowsInside()) {
                code.beginControlFlow("if (iy < 0 || iy >= $L)", inH)
                        .addStatement("continue")
                        .endControlFlow();
            }
            code.beginControlFlow("for (int kx = 0; kx < $L; kx++)", kw)
                    .addStatement("int ix = ox * $L - $L + kx * $L", sw, pw, dw);
            if (!colsInside()) {
                code.beginControlFlow("if (ix < 0 || ix >= $L)", inW)
                        .addStatement("continue")
                        .endControlFlow();
            }
            code.addStatement("int i = $L + iy * $L + ix", base, inW);
        }

        void endTaps(CodeBlock.Builder code) {
            code.endControlFlow().endControlFlow();
        }
    }
}
