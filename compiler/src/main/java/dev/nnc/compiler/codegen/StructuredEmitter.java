package dev.nnc.compiler.codegen;

import com.palantir.javapoet.CodeBlock;
import dev.nnc.compiler.graph.LeafOp;
import dev.nnc.compiler.graph.LossOp;
import dev.nnc.compiler.graph.Node;
import dev.nnc.compiler.graph.Op;
import dev.nnc.compiler.graph.TensorOp;
import dev.nnc.compiler.loops.Loops;
import dev.nnc.compiler.semantic.Shape;
import java.util.function.IntFunction;

/**
 * Statements for the nodes that are not elementwise. The reductions (sums, dot products, a
 * sample's own products, line sums, the softmax family and the fused losses from logits) are
 * loop nests ({@link Loops#reduction}), which this class writes and wraps: a comment on a fused
 * loss, the runtime's vector column sums where the rows are flat runs. The products of a weight
 * over a tile, and a sample's matrix product in a kernel with scratch rows, are still its own
 * loops and the runtime's kernels.
 */
final class StructuredEmitter {
    private final KernelEmitter kernel;
    private final Numeric numeric;

    StructuredEmitter(KernelEmitter kernel, Numeric numeric) {
        this.kernel = kernel;
        this.numeric = numeric;
    }

    CodeBlock emit(Node node, String type, boolean unrolled) {
        Op op = node.op();
        if (op instanceof TensorOp.MatMul && !unrolled && kernel.hasScratchRows()) {
            return matMulByRows(node, type);
        }
        CodeBlock nest =
                new LoopEmitter(kernel, numeric).emit(Loops.reduction(node, kernel.graph(), kernel::fresh, unrolled));
        if (op instanceof TensorOp.ColumnSum && !unrolled) {
            // C2 leaves the loops scalar where the rows start at an offset (a block of a recurrent
            // layer's trace, say); the runtime's vector sums read them in place.
            Shape m = shapeOf(node.arg(0));
            java.util.Optional<KernelEmitter.SampleRows> terms = kernel.flatRun(node.arg(0));
            java.util.Optional<KernelEmitter.SampleRows> sums = kernel.flatRun(node.id());
            if (VectorKernels.covers(numeric) && terms.isPresent() && sums.isPresent()) {
                return VectorKernels.columnSums(terms.get(), m.rows(), m.cols(), sums.get(), nest);
            }
        }
        if (op instanceof LossOp.SoftmaxCrossEntropy) {
            return CodeBlock.builder()
                    .add("// softmax + cross_entropy fused: computed from the logits\n")
                    .add(nest)
                    .build();
        }
        if (op instanceof LossOp.SigmoidBinaryCrossEntropy) {
            return CodeBlock.builder()
                    .add("// sigmoid + binary_cross_entropy fused: from the logits and their exp(-|z|)\n")
                    .add(nest)
                    .build();
        }
        return nest;
    }

    /**
     * Softmax cross-entropy of logits {@code z} and the softmax of the same {@code z} in one
     * pass: {@code p = exp(z - m) / t}, {@code loss = Σ y (m + log t - z)}, each logit
     * exponentiated once. The results are those of computing the two separately.
     */
    CodeBlock crossEntropyWithSoftmax(Node crossEntropy, Node softmax, boolean unrolled) {
        return CodeBlock.builder()
                .add("// softmax + cross_entropy fused: from the logits, sharing exp(z - max) with the softmax\n")
                .add(new LoopEmitter(kernel, numeric)
                        .emit(Loops.crossEntropyWithSoftmax(
                                crossEntropy, softmax, kernel.graph(), kernel::fresh, unrolled)))
                .build();
    }

    /**
     * Weight rows combined per pass over an output row in a tiled product: each load and store
     * of the output row then carries four multiply-adds; one per pass would leave the loop bound
     * by its stores.
     */
    static final int ROW_BLOCK = 4;

    /**
     * Whether {@link #emitTile} has a form for this per-sample node that is better than running
     * the per-sample code once for each sample: a product of a parameter matrix (or its
     * transpose) with a per-sample vector.
     */
    boolean handlesTile(Node node) {
        if (!(node.op() instanceof TensorOp.MatVec)) {
            return false;
        }
        Node matrix = kernel.graph().node(node.arg(0));
        if (kernel.isBatched(matrix.id())) {
            return false;
        }
        if (matrix.op() instanceof LeafOp.Param) {
            return true;
        }
        return matrix.op() instanceof TensorOp.Transpose
                && kernel.graph().node(matrix.arg(0)).op() instanceof LeafOp.Param;
    }

    /**
     * {@code y = W x} for every sample of a tile, as rows of multiply-adds that C2 vectorises:
     * along rows of the transposed weight for {@code W x}, along rows of {@code W} for
     * {@code W^T x}. Each pass over an output row adds four weight rows.
     */
    CodeBlock emitTile(Node node, String type) {
        Node matrix = kernel.graph().node(node.arg(0));
        int vector = node.arg(1);
        String weights;
        int inner;
        int outer;
        if (matrix.op() instanceof LeafOp.Param param) {
            // W [R, C] x: columns of W [C][R] run along the output index.
            weights = kernel.columnsName(param);
            outer = param.valueShape().cols();
            inner = param.valueShape().rows();
        } else {
            // W^T x for W [R, C]: rows of W [R][C] run along the output index.
            LeafOp.Param param =
                    (LeafOp.Param) kernel.graph().node(matrix.arg(0)).op();
            weights = kernel.rowsName(param);
            outer = param.valueShape().rows();
            inner = param.valueShape().cols();
        }
        String y = kernel.storedName(node.id());
        java.util.Optional<KernelEmitter.BiasedProduct> biased = kernel.biasOf(node.id());
        CodeBlock comment = CodeBlock.of(
                "// $L = $L x$L for each sample: multiply-adds along weight rows, $L rows per pass\n",
                y,
                matrix.op() instanceof LeafOp.Param ? "W" : "W^T",
                biased.isPresent() ? " + bias" : "",
                ROW_BLOCK);
        java.util.Optional<CodeBlock> bias = biased.map(b -> kernel.ref(b.bias(), Index.vectorLoop("j")));
        int slice = predictionSlice(inner, outer, type);
        CodeBlock loops = slice < outer
                ? slicedTileLoops(vector, weights, y, type, inner, outer, bias, slice)
                : tileLoops(vector, weights, y, type, inner, outer, bias);
        java.util.Optional<KernelEmitter.SampleRows> rows = kernel.sampleRows(vector);
        // Float classes take the kernels everywhere; double classes in predictions only.
        if ((VectorKernels.covers(numeric) || kernel.predictsOnly()) && rows.isPresent()) {
            // Training kernels: the kernel writes W x and the bias, if any, is added after it.
            CodeBlock addBias = bias.map(b -> CodeBlock.builder()
                            .beginControlFlow("for (int b = 0; b < m; b++)")
                            .beginControlFlow("for (int j = 0; j < $L; j++)", inner)
                            .addStatement("$N[b][j] += $L", y, b)
                            .endControlFlow()
                            .endControlFlow()
                            .build())
                    .orElse(CodeBlock.of(""));
            java.util.Optional<CodeBlock> oneSample = java.util.Optional.empty();
            java.util.Optional<CodeBlock> tileBias = java.util.Optional.empty();
            if (kernel.predictsOnly()) {
                // A batch: the tile kernel adds the bias after its sums.
                tileBias = biased.flatMap(b -> kernel.wholeVector(b.bias()));
            }
            if (kernel.predictsOnly() && VectorKernels.covers(numeric)) {
                // A prediction of one sample in float: the one-sample kernel, with the bias added as
                // it stores. Double classes run a sample as a tile of one.
                java.util.Optional<CodeBlock> biasArray = tileBias;
                CodeBlock call = CodeBlock.of(
                        "$T.multiplyOne($L[0], $L, $N, $L, $N[0], $L, $L)",
                        VectorKernels.PRODUCTS,
                        rows.get().array(),
                        rows.get().offset(),
                        weights,
                        biasArray.orElse(CodeBlock.of("null")),
                        y,
                        outer,
                        inner);
                oneSample = java.util.Optional.of(
                        biasArray.isPresent() || biased.isEmpty()
                                ? CodeBlock.of("$L;\n", call)
                                : CodeBlock.of("$L;\n$L", call, addBias));
            }
            return CodeBlock.builder()
                    .add(comment)
                    .add(VectorKernels.multiply(
                            VectorKernels.tileProducts(numeric),
                            rows.get(),
                            weights,
                            tileBias,
                            y,
                            outer,
                            inner,
                            tileBias.isPresent() ? CodeBlock.of("") : addBias,
                            oneSample,
                            loops))
                    .build();
        }
        return CodeBlock.builder().add(comment).add(loops).build();
    }

    /**
     * The bytes of weights that a slice of a prediction's plain product keeps in the level-1
     * cache (32 KB on the machines measured) while every sample of the tile runs over them.
     */
    static final int SLICE_BYTES = 16 * 1024;

    /**
     * The weight rows per slice of a prediction's plain product of {@code rows} rows of {@code
     * width} elements: a multiple of {@link #ROW_BLOCK} whose rows fill {@link #SLICE_BYTES}, or
     * {@code rows} (no slices) where all of them fit or the kernel also trains. Training
     * kernels keep the unsliced form, whose speed they were measured with.
     */
    private int predictionSlice(int width, int rows, String type) {
        if (!kernel.predictsOnly()) {
            return rows;
        }
        int bytes = "double".equals(type) ? 8 : 4;
        int slice = Math.max(ROW_BLOCK, SLICE_BYTES / (width * bytes) / ROW_BLOCK * ROW_BLOCK);
        return slice >= rows ? rows : slice;
    }

    /**
     * The plain loops of a prediction's product in slices of {@code slice} weight rows: every
     * sample of the tile adds one slice, read from the level-1 cache, before the next slice
     * (unsliced, a batch of 64 read all the weights from level 2 once per sample). Each element
     * is the same sequence of additions as in {@link #tileLoops}: the slices start at multiples
     * of {@link #ROW_BLOCK}, so the groups of four weight rows are the same groups.
     */
    private CodeBlock slicedTileLoops(
            int vector,
            String weights,
            String y,
            String type,
            int inner,
            int outer,
            java.util.Optional<CodeBlock> bias,
            int slice) {
        CodeBlock.Builder code = CodeBlock.builder().beginControlFlow("for (int b = 0; b < m; b++)");
        if (bias.isPresent()) {
            code.addStatement("$L[] y = $N[b]", type, y)
                    .beginControlFlow("for (int j = 0; j < $L; j++)", inner)
                    .addStatement("y[j] = $L", bias.get())
                    .endControlFlow();
        } else {
            code.addStatement("$T.fill($N[b], $L)", java.util.Arrays.class, y, numeric.literal(0));
        }
        code.endControlFlow()
                .beginControlFlow("for (int from = 0; from < $L; from += $L)", outer, slice)
                .addStatement("int to = $T.min(from + $L, $L)", JavaLang.MATH, slice, outer);
        CodeBlock head = CodeBlock.builder()
                .beginControlFlow("for (int b = 0; b < m; b++)")
                .addStatement("$L[] y = $N[b]", type, y)
                .build();
        return code.add(rowBlockLoops(
                        "k",
                        "from",
                        "to",
                        head,
                        r -> CodeBlock.of("$L x$L = $L", type, r, kernel.ref(vector, Index.flat(indexPlus("k", r)))),
                        r -> CodeBlock.of("$L[] w$L = $N[$L]", type, r, weights, indexPlus("k", r)),
                        r -> CodeBlock.of("x$L * w$L[j]", r, r),
                        "y[j]",
                        "j",
                        inner))
                .endControlFlow()
                .build();
    }

    /**
     * The plain loops of {@link #emitTile}: each output row starts from zero, or from the bias
     * ({@code bias} at element {@code j}) that the product's only reader adds.
     */
    private CodeBlock tileLoops(
            int vector,
            String weights,
            String y,
            String type,
            int inner,
            int outer,
            java.util.Optional<CodeBlock> bias) {
        CodeBlock.Builder code = CodeBlock.builder()
                .beginControlFlow("for (int b = 0; b < m; b++)")
                .addStatement("$L[] y = $N[b]", type, y);
        if (bias.isPresent()) {
            code.beginControlFlow("for (int j = 0; j < $L; j++)", inner)
                    .addStatement("y[j] = $L", bias.get())
                    .endControlFlow();
        } else {
            code.addStatement("$T.fill(y, $L)", java.util.Arrays.class, numeric.literal(0));
        }
        return rowBlockLoops(
                "k",
                String.valueOf(outer),
                code.build(),
                r -> CodeBlock.of("$L x$L = $L", type, r, kernel.ref(vector, Index.flat(indexPlus("k", r)))),
                r -> CodeBlock.of("$L[] w$L = $N[$L]", type, r, weights, indexPlus("k", r)),
                r -> CodeBlock.of("x$L * w$L[j]", r, r),
                "y[j]",
                "j",
                inner);
    }

    /**
     * The shape of the plain loops of a tiled product: {@code head} (which opens one loop),
     * then, inside it, {@code target += term(0) + ... + term(ROW_BLOCK - 1)} over {@code lane <
     * width} for {@code ROW_BLOCK} values of {@code index} at a time, each {@code r} first
     * declaring {@code scalar(r)} and {@code row(r)} (for {@code index + r}), then the remaining
     * values of {@code index < count} one at a time.
     */
    static CodeBlock rowBlockLoops(
            String index,
            String count,
            CodeBlock head,
            IntFunction<CodeBlock> scalar,
            IntFunction<CodeBlock> row,
            IntFunction<CodeBlock> term,
            String target,
            String lane,
            int width) {
        return rowBlockLoops(index, "0", count, head, scalar, row, term, target, lane, width);
    }

    /** {@link #rowBlockLoops} over {@code start <= index < count}. */
    static CodeBlock rowBlockLoops(
            String index,
            String start,
            String count,
            CodeBlock head,
            IntFunction<CodeBlock> scalar,
            IntFunction<CodeBlock> row,
            IntFunction<CodeBlock> term,
            String target,
            String lane,
            int width) {
        CodeBlock.Builder code = CodeBlock.builder()
                .add(head)
                .addStatement("int $L = $L", index, start)
                .beginControlFlow("for (; $L + $L <= $L; $L += $L)", index, ROW_BLOCK, count, index, ROW_BLOCK);
        CodeBlock.Builder sum = CodeBlock.builder();
        for (int r = 0; r < ROW_BLOCK; r++) {
            code.addStatement(scalar.apply(r)).addStatement(row.apply(r));
            sum.add(r == 0 ? "$L" : " + $L", term.apply(r));
        }
        return code.beginControlFlow("for (int $L = 0; $L < $L; $L++)", lane, lane, width, lane)
                .addStatement("$L += $L", target, sum.build())
                .endControlFlow()
                .endControlFlow()
                .beginControlFlow("for (; $L < $L; $L++)", index, count, index)
                .addStatement(scalar.apply(0))
                .addStatement(row.apply(0))
                .beginControlFlow("for (int $L = 0; $L < $L; $L++)", lane, lane, width, lane)
                .addStatement("$L += $L", target, term.apply(0))
                .endControlFlow()
                .endControlFlow()
                .endControlFlow()
                .build();
    }

    /** {@code index}, or {@code index + r}. */
    static CodeBlock indexPlus(String index, int r) {
        return r == 0 ? CodeBlock.of("$L", index) : CodeBlock.of("$L + $L", index, r);
    }

    private Shape shapeOf(int id) {
        return kernel.graph().node(id).shape();
    }

    /**
     * {@code a b} in a kernel with scratch rows: row {@code r} of the result as a sum of rows of
     * {@code b}, or the Vector API kernel where the operands are flat runs and {@code b} a weight.
     */
    private CodeBlock matMulByRows(Node node, String type) {
        Shape a = shapeOf(node.arg(0));
        Shape b = shapeOf(node.arg(1));
        int rows = a.rows();
        int inner = a.cols();
        int cols = b.cols();
        CodeBlock.Builder code = CodeBlock.builder();
        // Row r of the result as a sum of rows of b, a[r][k] b[k], in order of k (as the dot
        // product would add them), in a scratch row that starts at index 0: the inner loop runs
        // along rows, which C2 vectorises (not along a row at an offset in a larger array).
        String row = kernel.scratchRows(node, "productRow", 1, cols);
        // In a block of its own: other loops of the kernel name their scratch row s too.
        CodeBlock loops = code.add("{\n$>")
                .addStatement("$L[] s = $N[0]", type, row)
                .beginControlFlow("for (int r = 0; r < $L; r++)", rows)
                .addStatement("$T.fill(s, $L)", java.util.Arrays.class, numeric.literal(0))
                .beginControlFlow("for (int k = 0; k < $L; k++)", inner)
                .addStatement("$L a = $L", type, kernel.ref(node.arg(0), Index.matrixLoop("r", "k", inner)))
                .beginControlFlow("for (int c = 0; c < $L; c++)", cols)
                .addStatement("s[c] += a * $L", kernel.ref(node.arg(1), Index.matrixLoop("k", "c", cols)))
                .endControlFlow()
                .endControlFlow()
                .beginControlFlow("for (int c = 0; c < $L; c++)", cols)
                .addStatement("$L = s[c]", kernel.slot(node.id(), CodeBlock.of("r * $L + c", cols)))
                .endControlFlow()
                .endControlFlow()
                .add("$<}\n")
                .build();
        java.util.Optional<KernelEmitter.SampleRows> left = kernel.flatRun(node.arg(0));
        java.util.Optional<KernelEmitter.SampleRows> product = kernel.flatRun(node.id());
        java.util.Optional<String> weights = weightRows(node.arg(1));
        if (VectorKernels.covers(numeric) && left.isPresent() && product.isPresent() && weights.isPresent()) {
            return VectorKernels.multiplyFlat(left.get(), weights.get(), product.get(), rows, inner, cols, loops);
        }
        return loops;
    }

    /**
     * The field whose rows are the rows of matrix {@code id}, if it is a weight: the rows of a
     * parameter, or its columns for its transpose.
     */
    private java.util.Optional<String> weightRows(int id) {
        Node matrix = kernel.graph().node(id);
        if (kernel.isBatched(id)) {
            return java.util.Optional.empty();
        }
        if (matrix.op() instanceof LeafOp.Param param) {
            return java.util.Optional.of(kernel.rowsName(param));
        }
        if (matrix.op() instanceof TensorOp.Transpose
                && kernel.graph().node(matrix.arg(0)).op() instanceof LeafOp.Param param) {
            return java.util.Optional.of(kernel.columnsName(param));
        }
        return java.util.Optional.empty();
    }
}
