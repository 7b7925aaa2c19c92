package dev.nnc.compiler.codegen;

import com.palantir.javapoet.CodeBlock;
import dev.nnc.compiler.diagnostic.InternalCompilerError;
import dev.nnc.compiler.graph.Node;
import dev.nnc.compiler.graph.SpatialOp;
import dev.nnc.compiler.graph.Window;
import dev.nnc.compiler.loops.Loops;
import dev.nnc.compiler.loops.Stmt;
import dev.nnc.compiler.loops.WindowGeometry;
import dev.nnc.compiler.semantic.Shape;
import java.util.function.BiFunction;

/**
 * The Java loops of the convolutions of {@link SpatialOp} and their gradients for one sample: reads and writes go through {@link KernelEmitter#ref} and {@link
 * KernelEmitter#slot}, so the same loops serve per-sample arrays and the rows of a tile.
 *
 * <p>A convolution is a matrix product over patches (im2col): the input under each tap of each
 * output is copied once into a scratch row per tap ({@code patches[k][o]}, zero in the padding),
 * and each filter's outputs are {@code Σ_k w[f][k] patches[k]} (docs/codegen.md, "Convolutions").
 * The gradient of the input runs the transposed product into patch gradients and adds them back
 * under their taps; the weight gradient takes the patches by output position so that its sums run
 * along a weight's row. The patch copies, the products over them ({@link Stmt.PatchProduct}, whose
 * kernels {@link WindowProducts} writes), col2im, the pools and channel sums are loop nests of
 * {@link Loops}, written by {@link LoopEmitter}. This class chooses among the ways to compute each
 * op: which layout of patches, which path, and the Vector API's forms that take no patches or sum
 * over the whole tile.
 *
 * <p>Each of the three products has the opt-in Vector API path where its left factor lies whole
 * in a flat array (the runtime's {@code PatchProducts.multiply}, see {@link WindowProducts}); the
 * patch rows and the result rows are rounded up to whole vectors ({@link
 * VectorKernels#patchRowLength}). On that path a forward convolution of stride 1 has no patches
 * at all: it copies its input into a padded scratch once and {@code
 * PatchProducts.multiplyShifted} reads each tap's inputs there as one run ({@link #shiftedConv}),
 * because LeNet-5's patches outgrow the level-1 cache and copying them cost more than the
 * product.
 */
final class WindowLoops {
    /**
     * The patch length below which the plain loops compute a weight gradient as dot products of
     * the output gradient's planes with the patches by tap ({@link Loops#weightGradientDots})
     * rather than as sums along rows of the patches by position, which are that short: LeNet-5's
     * first convolution has patches of 25 (docs/codegen.md, "Loop nests"). The hand-written CNN
     * measured the same crossing (25 favours the dots, 150 the rows).
     */
    private static final int DOT_PRODUCT_PATCHES = 64;

    /**
     * The shortest plane of outputs over which the Vector API path takes those dot products too
     * ({@code PatchProducts.dots}) rather than the product over the patches by position: each dot
     * ends in adding its vector's lanes one by one, which a plane of 256 (16 vectors of sums at
     * AVX-512, LeNet-5's first convolution has 784) repays and the digits CNN's 64 does not
     * (docs/codegen.md, "Shaped tensors").
     */
    private static final int VECTOR_DOT_PLANE = 256;

    private final KernelEmitter kernel;
    private final Numeric numeric;
    private final String type;

    /**
     * What the op's loops need once per tile rather than per sample (a copy of the weight in the
     * layout its sums run along), set by {@link #emit}; empty for most ops.
     */
    private CodeBlock prologue = CodeBlock.of("");

    WindowLoops(KernelEmitter kernel, Numeric numeric) {
        this.kernel = kernel;
        this.numeric = numeric;
        this.type = numeric.type().toString();
    }

    /** Whether {@code node}'s op is one these loops compute (the others of the family are views). */
    static boolean computes(Node node) {
        return node.op() instanceof SpatialOp.Conv
                || node.op() instanceof SpatialOp.ConvInputGrad
                || node.op() instanceof SpatialOp.ConvWeightGrad;
    }

    /**
     * The statements that run once per tile before {@link #emit}'s per-sample statements for the
     * same node; call after {@code emit}.
     */
    CodeBlock prologue() {
        return prologue;
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
        if (node.op() instanceof SpatialOp.ConvWeightGrad) {
            return convWeightGrad(node);
        }
        throw new InternalCompilerError("no loops for " + node.op().mnemonic());
    }

    // patches[k][o] = x under tap k of output o; y[f][o] = bias[f] + Σ_k w[f][k] patches[k][o]
    private CodeBlock conv(Node node, SpatialOp.Conv conv) {
        Geometry g = new Geometry(conv.window(), conv.input(), node.shape().dim(0));
        if (g.extents().patchesTooLarge()) {
            return new LoopEmitter(kernel, numeric).emit(Loops.directConvolution(node));
        }
        boolean byPosition = g.filters > g.outPlane;
        java.util.Optional<KernelEmitter.SampleRows> weight = kernel.flatArray(node.arg(1));
        if (weight.isEmpty()) {
            return byPosition ? convByPosition(node, g) : convByTap(node, patchScratch(node, g));
        }
        // The Vector API kernel blocks filters and positions both, so one direction serves every layer.
        String patches = patchScratch(node, g);
        CodeBlock plain = byPosition ? convByPosition(node, g) : convByTap(node, patches);
        java.util.Optional<KernelEmitter.SampleRows> input = kernel.flatRun(node.arg(0));
        if (g.shifts() && input.isPresent()) {
            return VectorKernels.vectorOrPlain(shiftedConv(node, conv, g, weight.get(), input.get()), plain);
        }
        CodeBlock vector =
                new LoopEmitter(kernel, numeric, LoopEmitter.Path.VECTOR).emit(Loops.convolutionByTap(node, patches));
        return VectorKernels.vectorOrPlain(vector, plain);
    }

    /**
     * The Vector API path of a convolution of stride 1 without patches: the input copied into a
     * scratch array with its padding ({@code C x Hp x Wp}, zeros around it), so that the inputs
     * under tap {@code k} of all outputs are one run of it from the tap's offset, and the product
     * reads those runs in place ({@code PatchProducts.multiplyShifted}). Output {@code (oy, ox)}
     * is column {@code oy Wp + ox} of the sums, the columns between are never read. The product is
     * {@code Wp / outW} times as wide as the patches', but the patches of a LeNet-5 layer are
     * tens of KB written and read again, more than the level-1 cache holds, and copying them cost
     * more than the product (docs/codegen.md, "Shaped tensors, convolutions and pools").
     */
    private CodeBlock shiftedConv(
            Node node,
            SpatialOp.Conv conv,
            Geometry g,
            KernelEmitter.SampleRows weight,
            KernelEmitter.SampleRows input) {
        int wp = g.paddedW();
        int width = g.shiftedWidth();
        String taps = tapTable(g);
        CodeBlock copy = paddedCopy(node, g, input);
        String sums = kernel.scratchRows(node, "filterSums", g.filters, rowLength(width));
        CodeBlock.Builder code = CodeBlock.builder().add(copy);
        code.add(VectorKernels.shiftedProduct(numeric, weight, g.depth(), taps, sums, g.filters, g.depth(), width));
        java.util.Optional<KernelEmitter.SampleRows> output = kernel.flatArray(node.id());
        // The bias and its offset, or null for none
        java.util.Optional<CodeBlock> bias = conv.bias()
                ? kernel.flatArray(node.arg(2)).map(b -> CodeBlock.of("$L, $L", b.array(), b.offset()))
                : java.util.Optional.of(CodeBlock.of("null, 0"));
        if (output.isPresent() && bias.isPresent()) {
            return code.addStatement(
                            "$T.storePlanes($N, $L, $L, $L, $L, $L, $L, $L)",
                            VectorKernels.patchProducts(numeric),
                            sums,
                            wp,
                            bias.get(),
                            output.get().array(),
                            output.get().offset(),
                            g.filters,
                            g.outH,
                            g.outW)
                    .build();
        }
        code.beginControlFlow("for (int f = 0; f < $L; f++)", g.filters).addStatement("$L[] s = $N[f]", type, sums);
        CodeBlock sum = CodeBlock.of("s[oy * $L + ox]", wp);
        if (conv.bias()) {
            code.addStatement("$L bias = $L", type, read(node.arg(2), CodeBlock.of("f")));
            sum = CodeBlock.of("$L + bias", sum);
        }
        return code.beginControlFlow("for (int oy = 0; oy < $L; oy++)", g.outH)
                .beginControlFlow("for (int ox = 0; ox < $L; ox++)", g.outW)
                .addStatement("$L = $L", out(node, CodeBlock.of("f * $L + oy * $L + ox", g.outPlane, g.outW)), sum)
                .endControlFlow()
                .endControlFlow()
                .endControlFlow()
                .build();
    }

    /**
     * The class's table of each tap's offset in the padded input of {@link #paddedCopy}: channel,
     * then row, then column, as the weight's row orders them.
     */
    private String tapTable(Geometry g) {
        return tapTable(g, g.paddedH() * g.paddedW(), g.paddedW());
    }

    /** The table of each tap's offset in an input of planes {@code plane} long and rows {@code width} wide. */
    private String tapTable(Geometry g, int plane, int width) {
        return kernel.intTable(
                "taps",
                CodeBlock.of(
                        "$N($L, $L, $L, $L, $L, $L)",
                        kernel.helper("tapOffsets"),
                        g.channels,
                        plane,
                        g.kh,
                        g.dh * width,
                        g.kw,
                        g.dw));
    }

    /**
     * {@code float[] xp}: the sample's input copied into a scratch array with its padding ({@code
     * C x Hp x Wp}, zeros around it), long enough that the last tap's run of whole vectors fits.
     */
    private CodeBlock paddedCopy(Node node, Geometry g, KernelEmitter.SampleRows input) {
        int hp = g.paddedH();
        int wp = g.paddedW();
        int paddedPlane = hp * wp;
        // The last tap's offset is the largest: its run must fit, whole vectors included.
        int lastTap = (g.channels - 1) * paddedPlane + (g.kh - 1) * g.dh * wp + (g.kw - 1) * g.dw;
        int length = Math.max(g.channels * paddedPlane, lastTap + rowLength(g.shiftedWidth()));
        String padded = kernel.scratchRows(node, "paddedInput", 1, length);
        int copyRows = Math.min(g.inH, hp - g.ph);
        int copyCols = Math.min(g.inW, wp - g.pw);
        CodeBlock source = input.offset() == 0
                ? CodeBlock.of("c * $L", g.inPlane)
                : CodeBlock.of("$L + c * $L", input.offset(), g.inPlane);
        CodeBlock.Builder code = CodeBlock.builder().addStatement("$L[] xp = $N[0]", type, padded);
        if (g.ph > 0 || g.pw > 0 || copyRows < hp || copyCols < wp) {
            // The scratch may be another kernel's too: its padding is written on every call.
            return code.addStatement("$T.fill(xp, $L)", java.util.Arrays.class, numeric.literal(0))
                    .beginControlFlow("for (int c = 0; c < $L; c++)", g.channels)
                    .beginControlFlow("for (int iy = 0; iy < $L; iy++)", copyRows)
                    .addStatement(
                            "$T.arraycopy($L, $L + iy * $L, xp, c * $L + (iy + $L) * $L + $L, $L)",
                            System.class,
                            input.array(),
                            source,
                            g.inW,
                            paddedPlane,
                            g.ph,
                            wp,
                            g.pw,
                            copyCols)
                    .endControlFlow()
                    .endControlFlow()
                    .build();
        }
        return code.addStatement(
                        "$T.arraycopy($L, $L, xp, 0, $L)",
                        System.class,
                        input.array(),
                        input.offset(),
                        g.channels * g.inPlane)
                .build();
    }

    /** The plain loops of the convolution with its sums along each filter's plane. */
    private CodeBlock convByTap(Node node, String patches) {
        return plainLoops(Loops.convolutionByTap(node, patches));
    }

    /**
     * The convolution with its sums along the filters instead of along a plane, for layers with
     * more filters than outputs per filter (a deep layer on a small map: 32 against 16 in the
     * digits CNN's second convolution): {@code y[o][f] = bias[f] + Σ_k patches[o][k] w[f][k]}
     * over the weight's columns copied as rows that start at index 0, stored transposed.
     */
    private CodeBlock convByPosition(Node node, Geometry g) {
        String positions = kernel.scratchRows(node, "positions", g.outPlane, rowLength(g.depth()));
        String columns = kernel.scratchRows(node, "weightColumns", g.depth(), g.filters);
        prologue = CodeBlock.builder()
                .beginControlFlow("for (int k = 0; k < $L; k++)", g.depth())
                .addStatement("$L[] r = $N[k]", type, columns)
                .beginControlFlow("for (int f = 0; f < $L; f++)", g.filters)
                .addStatement("r[f] = $L", read(node.arg(1), CodeBlock.of("f * $L + k", g.depth())))
                .endControlFlow()
                .endControlFlow()
                .build();
        return plainLoops(Loops.convolutionByPosition(node, positions, columns));
    }

    // grads[k][o] = Σ_f w[f][k] dy[f][o]; dx = the sum of grads[k] over the taps that read x
    private CodeBlock convInputGrad(Node node, Geometry g) {
        if (g.extents().patchesTooLarge()) {
            return new LoopEmitter(kernel, numeric).emit(Loops.directInputGradient(node, g.filters));
        }
        java.util.Optional<CodeBlock> overInputRows = inputGradientOverInputRows(node, g);
        if (overInputRows.isPresent()) {
            return VectorKernels.vectorOrPlain(overInputRows.get(), patchInputGradient(node, g, false));
        }
        return patchInputGradient(node, g, true);
    }

    /**
     * The Vector API path of a float convolution's input gradient at stride 1 without padding,
     * where its input's rows are the padded rows of {@link #shiftedConv}: the sample's output
     * gradient widened to the input's rows ({@code oy W + ox}, zero between), the patch gradients
     * computed over those rows by tap ({@code grads[k][j] = Σ_f w[f][k] dy[f][j]}), and each row
     * added under its tap as one run ({@code PatchProducts.addUnderTaps}). The patch gradients by
     * position were added back element by element, five at a time for LeNet-5's second
     * convolution, which took longer than their product; the product over the rows is as much
     * wider as the forward one over its padded input. Empty where that does not apply.
     */
    private java.util.Optional<CodeBlock> inputGradientOverInputRows(Node node, Geometry g) {
        java.util.Optional<KernelEmitter.SampleRows> dy = kernel.flatArray(node.arg(0));
        java.util.Optional<KernelEmitter.SampleRows> weight = kernel.flatArray(node.arg(1));
        java.util.Optional<KernelEmitter.SampleRows> dx = kernel.flatArray(node.id());
        if (!VectorKernels.covers(numeric)
                || g.extents().reachesPadding()
                || !g.shifts()
                || dy.isEmpty()
                || weight.isEmpty()
                || dx.isEmpty()) {
            return java.util.Optional.empty();
        }
        int width = g.shiftedWidth();
        int rowLength = rowLength(width);
        String taps = tapTable(g);
        String dyRows = kernel.scratchRows(node, "widenedGradient", g.filters, rowLength);
        String grads = kernel.scratchRows(node, "inputRowGrads", g.depth(), rowLength);
        return java.util.Optional.of(CodeBlock.builder()
                .add(widenedGradient(g, dy.get(), CodeBlock.of("$N[f]", dyRows), CodeBlock.of("0"), rowLength))
                .add(new LoopEmitter(kernel, numeric, LoopEmitter.Path.VECTOR)
                        .emit(Loops.inputGradientsByTap(node, kernel.graph(), dyRows, grads, width)))
                .addStatement(
                        "$T.fill($L, $L, $L, $L)",
                        java.util.Arrays.class,
                        dx.get().array(),
                        dx.get().offset(),
                        dx.get().offset() + g.channels * g.inPlane,
                        numeric.literal(0))
                .addStatement(
                        "$T.addUnderTaps($N, $N, $L, $L, $L, $L)",
                        VectorKernels.patchProducts(numeric),
                        grads,
                        taps,
                        dx.get().array(),
                        dx.get().offset(),
                        g.depth(),
                        width)
                .build());
    }

    /**
     * The input gradient over patch gradients by tap or, for patches longer than the plane, by
     * position, added back under the taps; with {@code vectorPath}, each product takes the Vector
     * API kernel where it can.
     */
    private CodeBlock patchInputGradient(Node node, Geometry g, boolean vectorPath) {
        if (g.depth() > g.outPlane) {
            return convInputGradByPosition(node, g, vectorPath);
        }
        String dyRows = kernel.scratchRows(node, "dyRows", g.filters, rowLength(g.outPlane));
        String grads = kernel.scratchRows(node, "patchGrads", g.depth(), rowLength(g.outPlane));
        // grads[k][o] = Σ_f w[f C k + k] dyRows[f][o]: the weight read by columns
        CodeBlock product =
                products(Loops.inputGradientsByTap(node, kernel.graph(), dyRows, grads, g.outPlane), vectorPath);
        return CodeBlock.builder()
                .add(copyRows(node.arg(0), dyRows, g.filters, g.outPlane))
                .add(product)
                .add(addUnderTaps(node, grads, false))
                .build();
    }

    /**
     * The input gradient with its sums along a patch instead of along a plane, for layers whose
     * patches are longer than their planes (a deep layer on a small map: 144 against 16 in the
     * digits CNN's second convolution): {@code grads[o][k] = Σ_f dy[f][o] w[f][k]} over rows of
     * the weight copied where they start at index 0, then added back under the taps.
     */
    private CodeBlock convInputGradByPosition(Node node, Geometry g, boolean vectorPath) {
        String weightRows = kernel.scratchRows(node, "weightRows", g.filters, rowLength(g.depth()));
        String grads = kernel.scratchRows(node, "positionGrads", g.outPlane, rowLength(g.depth()));
        prologue = CodeBlock.builder()
                .beginControlFlow("for (int f = 0; f < $L; f++)", g.filters)
                .addStatement("$L[] r = $N[f]", type, weightRows)
                .beginControlFlow("for (int k = 0; k < $L; k++)", g.depth())
                .addStatement("r[k] = $L", read(node.arg(1), CodeBlock.of("f * $L + k", g.depth())))
                .endControlFlow()
                .endControlFlow()
                .build();
        // grads[o][k] = Σ_f dy[f OP + o] weightRows[f][k]: the output gradient read by positions
        CodeBlock product =
                products(Loops.inputGradientsByPosition(node, kernel.graph(), weightRows, grads), vectorPath);
        return CodeBlock.builder()
                .add(product)
                .add(addUnderTaps(node, grads, true))
                .build();
    }

    /** {@code dx = 0}, then the patch gradients in {@code grads} added back under their taps (col2im). */
    private CodeBlock addUnderTaps(Node node, String grads, boolean byPosition) {
        return new LoopEmitter(kernel, numeric).emit(Loops.addUnderTaps(node, grads, byPosition));
    }

    // dw[f][k] = Σ_o dy[f][o] positions[o][k], one sample
    private CodeBlock convWeightGrad(Node node) {
        return sampleWeightGradient(node, (flat, value) -> CodeBlock.of("$L = $L;\n", out(node, flat), value), true);
    }

    /**
     * One sample's convolution weight gradient ({@code node}, a {@link SpatialOp.ConvWeightGrad}),
     * summed in scratch rows {@code [F][C k]} and then handed element by element to {@code
     * store}, with the element's flat position in the weight: the stored node's own array, or
     * the gradient field a sink adds it to. Without {@code vectorPath}, the plain loops alone.
     */
    CodeBlock sampleWeightGradient(Node node, BiFunction<CodeBlock, CodeBlock, CodeBlock> store, boolean vectorPath) {
        SpatialOp.ConvWeightGrad grad = (SpatialOp.ConvWeightGrad) node.op();
        Geometry g = new Geometry(grad.window(), grad.input(), node.shape().dim(0));
        String rows = kernel.scratchRows(node, "weightGrads", g.filters, rowLength(g.depth()));
        return CodeBlock.builder()
                .add(weightGradientRows(node, g, rows, vectorPath))
                .beginControlFlow("for (int f = 0; f < $L; f++)", g.filters)
                .beginControlFlow("for (int k = 0; k < $L; k++)", g.depth())
                .add(store.apply(CodeBlock.of("f * $L + k", g.depth()), CodeBlock.of("$N[f][k]", rows)))
                .endControlFlow()
                .endControlFlow()
                .build();
    }

    /**
     * The Vector API path of a float class's convolution weight gradient summed over the tile into
     * the flat array {@code gradient}, where its patches are short and its plane long (where
     * {@link #weightGradientRows} takes dot products) at stride 1: each sample's output gradient
     * widened to the rows of the padded input and {@code PatchProducts.addShiftedLanes} over the
     * padded input in place, so that no patches are copied (LeNet-5's first convolution copied 25
     * rows of 784 per sample for its dot products) and each sum's lanes are added once per tile,
     * not once per sample. Empty where that does not apply.
     */
    java.util.Optional<CodeBlock> tileWeightGradientByLanes(Node node, String gradient) {
        SpatialOp.ConvWeightGrad grad = (SpatialOp.ConvWeightGrad) node.op();
        Geometry g = new Geometry(grad.window(), grad.input(), node.shape().dim(0));
        java.util.Optional<KernelEmitter.SampleRows> dy = kernel.flatArray(node.arg(0));
        java.util.Optional<KernelEmitter.SampleRows> input = kernel.flatRun(node.arg(1));
        if (!VectorKernels.covers(numeric)
                || g.extents().patchesTooLarge()
                || !takesDots(g)
                || !g.shifts()
                || dy.isEmpty()
                || input.isEmpty()) {
            return java.util.Optional.empty();
        }
        int rowLength = rowLength(g.shiftedWidth());
        int count = g.filters * g.depth();
        String taps = tapTable(g);
        String planes = kernel.scratchRows(node, "widenedGradient", 1, g.filters * rowLength);
        String lanes = kernel.scratchRows(
                node, "gradientLanes", 1, (count + VectorKernels.WIDEST_LANES) * VectorKernels.WIDEST_LANES);
        CodeBlock sample = CodeBlock.builder()
                .add(paddedCopy(node, g, input.get()))
                .add(widenedGradient(
                        g, dy.get(), CodeBlock.of("$N[0]", planes), CodeBlock.of("f * $L", rowLength), rowLength))
                .addStatement(
                        "$T.addShiftedLanes($N[0], 0, $L, xp, $N, $N[0], $L, $L, $L)",
                        VectorKernels.patchProducts(numeric),
                        planes,
                        rowLength,
                        taps,
                        lanes,
                        g.filters,
                        g.depth(),
                        rowLength)
                .build();
        return java.util.Optional.of(CodeBlock.builder()
                .addStatement("$T.fill($N[0], $L)", java.util.Arrays.class, lanes, numeric.literal(0))
                .add(kernel.forEachSample(sample))
                .addStatement(
                        "$T.addLaneSums($N[0], $L, $N, 0)",
                        VectorKernels.patchProducts(numeric),
                        lanes,
                        count,
                        gradient)
                .build());
    }

    /**
     * The Vector API path of a convolution weight gradient summed over the tile into the flat
     * array {@code gradient} (float or double), where the patches by position would be copied for it (a
     * short plane: LeNet-5's second convolution, 150 floats at each of 100 positions) and its
     * filters fill most of a vector: each sample's output gradient by position ({@code
     * PatchProducts.transposePlanes}) times the input under each tap, read where it lies ({@code
     * PatchProducts.addTapProducts}), the sums kept by taps, {@code [C k][F]}, and added to the
     * gradient after the tile's last sample. A padded window at stride 1 reads the padded copy of
     * {@link #paddedCopy}. Empty where that does not apply.
     */
    java.util.Optional<CodeBlock> tileWeightGradientByTaps(Node node, String gradient) {
        SpatialOp.ConvWeightGrad grad = (SpatialOp.ConvWeightGrad) node.op();
        Geometry g = new Geometry(grad.window(), grad.input(), node.shape().dim(0));
        java.util.Optional<KernelEmitter.SampleRows> dy = kernel.flatArray(node.arg(0));
        java.util.Optional<KernelEmitter.SampleRows> input = kernel.flatRun(node.arg(1));
        boolean padded = g.extents().reachesPadding();
        if (g.extents().patchesTooLarge()
                || takesDots(g)
                || 2 * rowLength(g.filters) > 3 * g.filters
                || (padded && (g.sh != 1 || g.sw != 1))
                || dy.isEmpty()
                || input.isEmpty()) {
            return java.util.Optional.empty();
        }
        int columnLength = rowLength(g.filters);
        String columns = kernel.scratchRows(node, "gradientColumns", g.outPlane, columnLength);
        String sums = kernel.scratchRows(node, "tapSums", g.depth(), columnLength);
        CodeBlock.Builder sample = CodeBlock.builder()
                .addStatement(
                        "$T.transposePlanes($L, $L, $L, $L, $N)",
                        VectorKernels.patchProducts(numeric),
                        dy.get().array(),
                        dy.get().offset(),
                        g.filters,
                        g.outPlane,
                        columns);
        String taps;
        String positions;
        CodeBlock x;
        if (padded) {
            sample.add(paddedCopy(node, g, input.get()));
            taps = tapTable(g);
            positions = offsetTable(g, g.paddedW(), 1);
            x = CodeBlock.of("xp, 0");
        } else {
            taps = tapTable(g, g.inPlane, g.inW);
            positions = offsetTable(g, g.sh * g.inW, g.sw);
            x = CodeBlock.of("$L, $L", input.get().array(), input.get().offset());
        }
        sample.addStatement(
                "$T.addTapProducts($L, $N, $N, $N, $N, $L, $L, $L)",
                VectorKernels.patchProducts(numeric),
                x,
                taps,
                positions,
                columns,
                sums,
                g.depth(),
                g.outPlane,
                g.filters);
        return java.util.Optional.of(CodeBlock.builder()
                .beginControlFlow("for (int k = 0; k < $L; k++)", g.depth())
                .addStatement("$T.fill($N[k], $L)", java.util.Arrays.class, sums, numeric.literal(0))
                .endControlFlow()
                .add(kernel.forEachSample(sample.build()))
                .beginControlFlow("for (int f = 0; f < $L; f++)", g.filters)
                .beginControlFlow("for (int k = 0; k < $L; k++)", g.depth())
                .addStatement("$N[f * $L + k] += $N[k][f]", gradient, g.depth(), sums)
                .endControlFlow()
                .endControlFlow()
                .build());
    }

    /**
     * The class's table of the offset of each output position's window in the input it reads,
     * {@code oy rowStep + ox colStep}, in the order of the output plane.
     */
    private String offsetTable(Geometry g, int rowStep, int colStep) {
        return kernel.intTable(
                "positionOffsets",
                CodeBlock.of(
                        "$N(1, 0, $L, $L, $L, $L)", kernel.helper("tapOffsets"), g.outH, rowStep, g.outW, colStep));
    }

    /**
     * The sample's output gradient {@code dy} widened to the rows of the padded input: plane {@code
     * f} into the run of {@code length} from {@code start} of array {@code row} (both may read
     * {@code f}), output {@code (oy, ox)} at {@code oy Wp + ox} and zero everywhere else, the form
     * in which it multiplies the padded input's runs ({@link #shiftedConv}).
     */
    private CodeBlock widenedGradient(
            Geometry g, KernelEmitter.SampleRows dy, CodeBlock row, CodeBlock start, int length) {
        CodeBlock source = dy.offset() == 0
                ? CodeBlock.of("f * $L + oy * $L", g.outPlane, g.outW)
                : CodeBlock.of("$L + f * $L + oy * $L", dy.offset(), g.outPlane, g.outW);
        return CodeBlock.builder()
                .beginControlFlow("for (int f = 0; f < $L; f++)", g.filters)
                .addStatement("$L[] r = $L", type, row)
                .addStatement("int at = $L", start)
                // The scratch may be another kernel's too: the columns between the outputs are cleared on every call.
                .addStatement("$T.fill(r, at, at + $L, $L)", java.util.Arrays.class, length, numeric.literal(0))
                .beginControlFlow("for (int oy = 0; oy < $L; oy++)", g.outH)
                .addStatement(
                        "$T.arraycopy($L, $L, r, at + oy * $L, $L)",
                        System.class,
                        dy.array(),
                        source,
                        g.paddedW(),
                        g.outW)
                .endControlFlow()
                .endControlFlow()
                .build();
    }

    /** Whether a weight gradient's sums are dot products over the patches by tap, on both paths. */
    private static boolean takesDots(Geometry g) {
        return g.depth() < DOT_PRODUCT_PATCHES && g.outPlane >= VECTOR_DOT_PLANE;
    }

    /**
     * One sample's weight gradient {@code Σ_o dy[f][o] positions[o][k]} into {@code rows[f][k]}:
     * for short patches the plain loops take the dot products of the output gradient's planes with
     * the patches by tap, and so does the Vector API path over a long plane; otherwise the patches
     * by output position, so that the plain loops' sum runs along {@code k}, four positions per pass
     * over a row of the gradient. On the Vector API path of a float class, patches by position of a
     * window inside its input with adjacent taps are copied by {@code PatchProducts.positionPatches}.
     */
    private CodeBlock weightGradientRows(Node node, Geometry g, String rows, boolean vectorPath) {
        if (g.extents().patchesTooLarge()) {
            return new LoopEmitter(kernel, numeric).emit(Loops.directWeightGradient(node, rows));
        }
        boolean shortPatches = g.depth() < DOT_PRODUCT_PATCHES;
        String taps = shortPatches ? kernel.scratchRows(node, "tapPatches", g.depth(), rowLength(g.outPlane)) : null;
        boolean vectorDots = takesDots(g);
        java.util.Optional<KernelEmitter.SampleRows> gradient =
                vectorPath ? kernel.flatArray(node.arg(0)) : java.util.Optional.empty();
        java.util.Optional<KernelEmitter.SampleRows> input = kernel.flatRun(node.arg(1));
        boolean runs = gradient.isPresent()
                && !vectorDots
                && VectorKernels.covers(numeric)
                && input.isPresent()
                && !g.extents().reachesPadding()
                && g.dw == 1;
        // The patches by position serve long patches, and short ones only on a short plane's Vector API path;
        // copied by vectors, each row has room for a vector past the patch's last run.
        String positions = !shortPatches || (gradient.isPresent() && !vectorDots)
                ? kernel.scratchRows(
                        node,
                        "positions",
                        g.outPlane,
                        rowLength(runs ? g.depth() + VectorKernels.WIDEST_LANES - 1 : g.depth()))
                : null;
        CodeBlock positionPatches = runs
                ? CodeBlock.of(
                        "$T.positionPatches($L, $L, $N, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L);\n",
                        VectorKernels.patchProducts(numeric),
                        input.get().array(),
                        input.get().offset(),
                        positions,
                        g.channels,
                        g.inPlane,
                        g.inW,
                        g.kh,
                        g.kw,
                        g.dh,
                        g.outH,
                        g.outW,
                        g.sh,
                        g.sw)
                : null;
        // rows[f][k] = Σ_o dy[f OP + o] positions[o][k], from zero
        java.util.Optional<CodeBlock> vector = gradient.map(dy -> vectorDots
                ? VectorKernels.patchDots(numeric, dy, g.outPlane, taps, rows, g.filters, g.depth())
                : CodeBlock.builder()
                        .add(runs ? positionPatches : patches(node.arg(1), g, positions, true))
                        .add(new LoopEmitter(kernel, numeric, LoopEmitter.Path.VECTOR)
                                .emit(Loops.weightGradientRows(node, positions, rows)))
                        .build());
        if (shortPatches) {
            CodeBlock copy = patches(node.arg(1), g, taps, false);
            CodeBlock plain = new LoopEmitter(kernel, numeric).emit(Loops.weightGradientDots(node, taps, rows));
            if (vectorDots) {
                // Both paths take the dot products over the patches by tap, copied once.
                return CodeBlock.builder()
                        .add(copy)
                        .add(vector.map(v -> VectorKernels.vectorOrPlain(v, plain))
                                .orElse(plain))
                        .build();
            }
            CodeBlock dots = CodeBlock.builder().add(copy).add(plain).build();
            return vector.map(v -> VectorKernels.vectorOrPlain(v, dots)).orElse(dots);
        }
        CodeBlock plain = CodeBlock.builder()
                .add(patches(node.arg(1), g, positions, true))
                .add(plainLoops(Loops.weightGradientRows(node, positions, rows)))
                .build();
        return vector.map(v -> VectorKernels.vectorOrPlain(v, plain)).orElse(plain);
    }

    /** The scratch rows of a convolution's patches by tap, {@code [C k][positions]}. */
    private String patchScratch(Node node, Geometry g) {
        return kernel.scratchRows(node, "patches", g.depth(), rowLength(g.outPlane));
    }

    /** The length of the rows of a patch product {@code width} wide; see {@link VectorKernels#patchRowLength}. */
    private int rowLength(int width) {
        return VectorKernels.patchRowLength(numeric, width);
    }

    /** A nest in the plain loops alone. */
    private CodeBlock plainLoops(java.util.List<Stmt> nest) {
        return new LoopEmitter(kernel, numeric, LoopEmitter.Path.PLAIN).emit(nest);
    }

    /**
     * A nest of products, each beside its Vector API kernel where it has one and {@code
     * vectorPath} allows it, in the plain loops alone otherwise.
     */
    private CodeBlock products(java.util.List<Stmt> nest, boolean vectorPath) {
        return vectorPath ? new LoopEmitter(kernel, numeric).emit(nest) : plainLoops(nest);
    }

    /**
     * Fills {@code name} with the input under each tap of each output: by tap ({@code [k][o]},
     * {@code byPosition} false) or by output position ({@code [o][k]}), zero where the tap falls
     * into the padding ({@link Loops#patches}).
     */
    private CodeBlock patches(int x, Geometry g, String name, boolean byPosition) {
        return new LoopEmitter(kernel, numeric).emit(Loops.patches(g.extents(), x, name, byPosition));
    }

    // rows[f][o] = dy[f * OP + o]
    private CodeBlock copyRows(int id, String rows, int count, int length) {
        return CodeBlock.builder()
                .beginControlFlow("for (int f = 0; f < $L; f++)", count)
                .addStatement("$L[] r = $N[f]", type, rows)
                .beginControlFlow("for (int o = 0; o < $L; o++)", length)
                .addStatement("r[o] = $L", read(id, CodeBlock.of("f * $L + o", length)))
                .endControlFlow()
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

        /** The extents as the loop-nest stage derives them, the one place that does. */
        private final WindowGeometry extents;

        Geometry(Window window, Shape input, int filters) {
            WindowGeometry e = WindowGeometry.of(window, input);
            this.extents = e;
            this.channels = e.channels();
            this.filters = filters;
            this.inH = e.inH();
            this.inW = e.inW();
            this.kh = e.kh();
            this.kw = e.kw();
            this.sh = e.sh();
            this.sw = e.sw();
            this.ph = e.ph();
            this.pw = e.pw();
            this.dh = e.dh();
            this.dw = e.dw();
            this.outH = e.outH();
            this.outW = e.outW();
            this.inPlane = e.inPlane();
            this.outPlane = e.outPlane();
            this.taps = e.taps();
        }

        /**
         * Whether the Vector API path reads the patches from the padded input in place ({@link
         * #shiftedConv}): stride 1, and the product over the padded rows at most half as wide
         * again as over the outputs.
         */
        boolean shifts() {
            return sh == 1 && sw == 1 && 2 * shiftedWidth() <= 3 * outPlane;
        }

        /** The rows of the padded input that some tap reads: {@code outH + (kh - 1) dh} at stride 1. */
        int paddedH() {
            return outH + (kh - 1) * dh;
        }

        /** The columns of the padded input that some tap reads. */
        int paddedW() {
            return outW + (kw - 1) * dw;
        }

        /** The columns of the product over the padded rows: output {@code (oy, ox)} at {@code oy Wp + ox}. */
        int shiftedWidth() {
            return (outH - 1) * paddedW() + outW;
        }

        /** The elements of one patch: channels times taps, the length of a weight's row. */
        int depth() {
            return channels * taps;
        }

        /** The extents as the loop-nest stage takes them. */
        WindowGeometry extents() {
            return extents;
        }
    }
}
