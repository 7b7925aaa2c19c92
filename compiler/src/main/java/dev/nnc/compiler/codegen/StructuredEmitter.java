package dev.nnc.compiler.codegen;

import com.palantir.javapoet.CodeBlock;
import dev.nnc.compiler.diagnostic.InternalCompilerError;
import dev.nnc.compiler.graph.LeafOp;
import dev.nnc.compiler.graph.LossOp;
import dev.nnc.compiler.graph.Node;
import dev.nnc.compiler.graph.Op;
import dev.nnc.compiler.graph.TensorOp;
import dev.nnc.compiler.graph.VectorOp;
import dev.nnc.compiler.semantic.Shape;
import java.util.function.IntFunction;

/**
 * Statements for the nodes that are not elementwise: reductions, products, softmax and its
 * relatives, and the fused losses from logits, in the stable forms of RELIABILITY.md section 2
 * (softmax and log-sum-exp shifted by the maximum; binary cross-entropy as
 * {@code max(z, 0) - z y + log1p(exp(-|z|))}). Unrolled kernels get one statement per element,
 * loop kernels a counted loop.
 */
final class StructuredEmitter {
    private final KernelEmitter kernel;
    private final Numeric numeric;

    StructuredEmitter(KernelEmitter kernel, Numeric numeric) {
        this.kernel = kernel;
        this.numeric = numeric;
    }

    CodeBlock emit(Node node, String name, String type, boolean unrolled) {
        Op op = node.op();
        Shape in = shapeOf(node.arg(0));
        if (op instanceof TensorOp.Sum) {
            return sumInto(
                    kernel.scalarPrefix(node.id(), type),
                    kernel.slot(node.id(), zero()),
                    in,
                    unrolled,
                    e -> at(node.arg(0), in, e));
        }
        if (op instanceof TensorOp.Dot) {
            return sumInto(
                    kernel.scalarPrefix(node.id(), type),
                    kernel.slot(node.id(), zero()),
                    in,
                    unrolled,
                    e -> CodeBlock.of("$L * $L", at(node.arg(0), in, e), at(node.arg(1), in, e)));
        }
        if (op instanceof TensorOp.MatVec) {
            return matVec(node, name, type, unrolled);
        }
        if (op instanceof TensorOp.MatMul) {
            return matMul(node, name, type, unrolled);
        }
        if (op instanceof TensorOp.ColumnSum || op instanceof TensorOp.RowSum) {
            return lineSums(node, name, type, unrolled, op instanceof TensorOp.RowSum);
        }
        if (op instanceof VectorOp.Softmax || op instanceof VectorOp.LogSoftmax) {
            return softmax(node, name, type, unrolled, op instanceof VectorOp.LogSoftmax);
        }
        if (op instanceof VectorOp.LogSumExp) {
            CodeBlock.Builder code = CodeBlock.builder();
            String lse = logSumExp(node.arg(0), code, type, unrolled);
            return code.addStatement(
                            "$L$L = $N", kernel.scalarPrefix(node.id(), type), kernel.slot(node.id(), zero()), lse)
                    .build();
        }
        if (op instanceof LossOp.SoftmaxCrossEntropy) {
            CodeBlock.Builder code =
                    CodeBlock.builder().add("// softmax + cross_entropy fused: computed from the logits\n");
            String lse = logSumExp(node.arg(0), code, type, unrolled);
            return code.add(sumInto(
                            kernel.scalarPrefix(node.id(), type),
                            kernel.slot(node.id(), zero()),
                            in,
                            unrolled,
                            e -> CodeBlock.of("$L * ($N - $L)", at(node.arg(1), in, e), lse, at(node.arg(0), in, e))))
                    .build();
        }
        if (op instanceof LossOp.SigmoidBinaryCrossEntropy) {
            CodeBlock loss =
                    sumInto(kernel.scalarPrefix(node.id(), type), kernel.slot(node.id(), zero()), in, unrolled, e -> {
                        CodeBlock z = at(node.arg(0), in, e);
                        return CodeBlock.of(
                                "$T.max($L, $L) - $L * $L + $L",
                                JavaLang.MATH,
                                z,
                                numeric.literal(0),
                                z,
                                at(node.arg(1), in, e),
                                numeric.math("log1p", at(node.arg(2), in, e)));
                    });
            return CodeBlock.builder()
                    .add("// sigmoid + binary_cross_entropy fused: from the logits and their exp(-|z|)\n")
                    .add(loss)
                    .build();
        }
        throw new InternalCompilerError("no Java form for " + op.mnemonic());
    }

    /**
     * Softmax cross-entropy of logits {@code z} and the softmax of the same {@code z} in one
     * pass: {@code p = exp(z - m) / t}, {@code loss = Σ y (m + log t - z)}, each logit
     * exponentiated once. The results are those of computing the two separately.
     */
    CodeBlock crossEntropyWithSoftmax(Node crossEntropy, Node softmax, String type, boolean unrolled) {
        int logits = crossEntropy.arg(0);
        Shape shape = shapeOf(logits);
        String max = kernel.fresh("max");
        String total = kernel.fresh("total");
        String lse = kernel.fresh("lse");
        CodeBlock.Builder code = CodeBlock.builder()
                .add("// softmax + cross_entropy fused: from the logits, sharing exp(z - max) with the softmax\n")
                .add(maxOf(logits, shape, max, type, unrolled))
                .addStatement("$L $N = $L", type, total, numeric.literal(0));
        if (unrolled) {
            for (int e = 0; e < shape.size(); e++) {
                String p = kernel.local(softmax.id(), e);
                code.addStatement(
                                "$L $N = $L",
                                type,
                                p,
                                numeric.math("exp", CodeBlock.of("$L - $N", at(logits, shape, e), max)))
                        .addStatement("$N += $N", total, p);
            }
            for (int e = 0; e < shape.size(); e++) {
                code.addStatement("$N /= $N", kernel.local(softmax.id(), e), total);
            }
        } else {
            CodeBlock p = kernel.slot(softmax.id(), CodeBlock.of("i"));
            code.beginControlFlow("for (int i = 0; i < $L; i++)", shape.size())
                    .addStatement(
                            "$L = $L",
                            p,
                            numeric.math(
                                    "exp", CodeBlock.of("$L - $N", kernel.ref(logits, Index.vectorLoop("i")), max)))
                    .addStatement("$N += $L", total, p)
                    .endControlFlow()
                    .beginControlFlow("for (int i = 0; i < $L; i++)", shape.size())
                    .addStatement("$L /= $N", p, total)
                    .endControlFlow();
        }
        code.addStatement("$L $N = $N + $L", type, lse, max, numeric.math("log", CodeBlock.of("$N", total)));
        return code.add(sumInto(
                        kernel.scalarPrefix(crossEntropy.id(), type),
                        kernel.slot(crossEntropy.id(), zero()),
                        shape,
                        unrolled,
                        e -> CodeBlock.of(
                                "$L * ($N - $L)", at(crossEntropy.arg(1), shape, e), lse, at(logits, shape, e))))
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

    private static CodeBlock zero() {
        return CodeBlock.of("0");
    }

    private Shape shapeOf(int id) {
        return kernel.graph().node(id).shape();
    }

    /** Element {@code e} of node {@code id}: a literal index in unrolled code, else loop variable. */
    private CodeBlock at(int id, Shape shape, Object e) {
        if (e instanceof Integer literal) {
            return kernel.ref(id, Index.literal(literal, shape));
        }
        return kernel.ref(id, (Index) e);
    }

    /**
     * {@code type target = term0 + term1 + ...} in unrolled code, otherwise a loop (nested over
     * rows and columns for a matrix, so that views read by row and column work) adding each term.
     */
    private CodeBlock sumInto(
            String declaration,
            CodeBlock target,
            Shape shape,
            boolean unrolled,
            java.util.function.Function<Object, CodeBlock> term) {
        if (unrolled) {
            CodeBlock.Builder terms = CodeBlock.builder();
            for (int e = 0; e < shape.size(); e++) {
                terms.add(e == 0 ? "$L" : " + $L", term.apply(e));
            }
            return CodeBlock.builder()
                    .addStatement("$L$L = $L", declaration, target, terms.build())
                    .build();
        }
        return CodeBlock.builder()
                .addStatement("$L$L = $L", declaration, target, numeric.literal(0))
                .add(kernel.forEach(shape, index -> CodeBlock.of("$L += $L;\n", target, term.apply(index))))
                .build();
    }

    private CodeBlock matVec(Node node, String name, String type, boolean unrolled) {
        Shape w = shapeOf(node.arg(0));
        Shape x = shapeOf(node.arg(1));
        CodeBlock.Builder code = CodeBlock.builder();
        if (unrolled) {
            for (int r = 0; r < w.rows(); r++) {
                CodeBlock.Builder terms = CodeBlock.builder();
                for (int c = 0; c < w.cols(); c++) {
                    terms.add(
                            c == 0 ? "$L * $L" : " + $L * $L",
                            at(node.arg(0), w, r * w.cols() + c),
                            at(node.arg(1), x, c));
                }
                code.addStatement("$L $N = $L", type, kernel.local(node.id(), r), terms.build());
            }
            return code.build();
        }
        return code.beginControlFlow("for (int r = 0; r < $L; r++)", w.rows())
                .addStatement("$L acc = $L", type, numeric.literal(0))
                .beginControlFlow("for (int c = 0; c < $L; c++)", w.cols())
                .addStatement(
                        "acc += $L * $L",
                        kernel.ref(node.arg(0), Index.matrixLoop("r", "c", w.cols())),
                        kernel.ref(node.arg(1), Index.vectorLoop("c")))
                .endControlFlow()
                .addStatement("$L = acc", kernel.slot(node.id(), CodeBlock.of("r")))
                .endControlFlow()
                .build();
    }

    private CodeBlock matMul(Node node, String name, String type, boolean unrolled) {
        Shape a = shapeOf(node.arg(0));
        Shape b = shapeOf(node.arg(1));
        int rows = a.rows();
        int inner = a.cols();
        int cols = b.cols();
        CodeBlock.Builder code = CodeBlock.builder();
        if (unrolled) {
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    CodeBlock.Builder terms = CodeBlock.builder();
                    for (int k = 0; k < inner; k++) {
                        terms.add(
                                k == 0 ? "$L * $L" : " + $L * $L",
                                at(node.arg(0), a, r * inner + k),
                                at(node.arg(1), b, k * cols + c));
                    }
                    code.addStatement("$L $N = $L", type, kernel.local(node.id(), r * cols + c), terms.build());
                }
            }
            return code.build();
        }
        if (!kernel.hasScratchRows()) {
            return code.beginControlFlow("for (int r = 0; r < $L; r++)", rows)
                    .beginControlFlow("for (int c = 0; c < $L; c++)", cols)
                    .addStatement("$L acc = $L", type, numeric.literal(0))
                    .beginControlFlow("for (int k = 0; k < $L; k++)", inner)
                    .addStatement(
                            "acc += $L * $L",
                            kernel.ref(node.arg(0), Index.matrixLoop("r", "k", inner)),
                            kernel.ref(node.arg(1), Index.matrixLoop("k", "c", cols)))
                    .endControlFlow()
                    .addStatement("$L = acc", kernel.slot(node.id(), CodeBlock.of("r * $L + c", cols)))
                    .endControlFlow()
                    .endControlFlow()
                    .build();
        }
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

    /** Row sums ([r, c] to [r]) or column sums ([r, c] to [c]). */
    private CodeBlock lineSums(Node node, String name, String type, boolean unrolled, boolean rows) {
        Shape m = shapeOf(node.arg(0));
        int outer = rows ? m.rows() : m.cols();
        int inner = rows ? m.cols() : m.rows();
        CodeBlock.Builder code = CodeBlock.builder();
        if (unrolled) {
            for (int o = 0; o < outer; o++) {
                CodeBlock.Builder terms = CodeBlock.builder();
                for (int k = 0; k < inner; k++) {
                    int flat = rows ? o * m.cols() + k : k * m.cols() + o;
                    terms.add(k == 0 ? "$L" : " + $L", at(node.arg(0), m, flat));
                }
                code.addStatement("$L $N = $L", type, kernel.local(node.id(), o), terms.build());
            }
            return code.build();
        }
        if (!rows) {
            // Column sums row by row, each column's terms in the order of the dot product: the
            // inner loop runs along a row, which C2 vectorises, where a column has a stride.
            CodeBlock slot = kernel.slot(node.id(), CodeBlock.of("o"));
            CodeBlock loops = code.beginControlFlow("for (int o = 0; o < $L; o++)", outer)
                    .addStatement("$L = $L", slot, numeric.literal(0))
                    .endControlFlow()
                    .beginControlFlow("for (int k = 0; k < $L; k++)", inner)
                    .beginControlFlow("for (int o = 0; o < $L; o++)", outer)
                    .addStatement("$L += $L", slot, kernel.ref(node.arg(0), Index.matrixLoop("k", "o", m.cols())))
                    .endControlFlow()
                    .endControlFlow()
                    .build();
            // C2 leaves that loop scalar where the rows start at an offset (a block of a
            // recurrent layer's trace, say); the runtime's vector sums read them in place.
            java.util.Optional<KernelEmitter.SampleRows> terms = kernel.flatRun(node.arg(0));
            java.util.Optional<KernelEmitter.SampleRows> sums = kernel.flatRun(node.id());
            if (VectorKernels.covers(numeric) && terms.isPresent() && sums.isPresent()) {
                return VectorKernels.columnSums(terms.get(), inner, outer, sums.get(), loops);
            }
            return loops;
        }
        Index element = Index.matrixLoop("o", "k", m.cols());
        return code.beginControlFlow("for (int o = 0; o < $L; o++)", outer)
                .addStatement("$L acc = $L", type, numeric.literal(0))
                .beginControlFlow("for (int k = 0; k < $L; k++)", inner)
                .addStatement("acc += $L", kernel.ref(node.arg(0), element))
                .endControlFlow()
                .addStatement("$L = acc", kernel.slot(node.id(), CodeBlock.of("o")))
                .endControlFlow()
                .build();
    }

    /**
     * {@code m = max(v)} (0 when infinite, as JAX does, so all {@code -Inf} gives {@code -Inf},
     * not NaN), then {@code m + log(Σ exp(v - m))}; returns the local holding it.
     */
    private String logSumExp(int vector, CodeBlock.Builder code, String type, boolean unrolled) {
        Shape shape = shapeOf(vector);
        String max = kernel.fresh("max");
        String total = kernel.fresh("total");
        String lse = kernel.fresh("lse");
        code.add(maxOf(vector, shape, max, type, unrolled));
        code.add(sumInto(
                type + " ",
                CodeBlock.of("$N", total),
                shape,
                unrolled,
                e -> numeric.math("exp", CodeBlock.of("$L - $N", at(vector, shape, e), max))));
        code.addStatement("$L $N = $N + $L", type, lse, max, numeric.math("log", CodeBlock.of("$N", total)));
        return lse;
    }

    private CodeBlock maxOf(int vector, Shape shape, String max, String type, boolean unrolled) {
        CodeBlock.Builder code = CodeBlock.builder();
        code.addStatement("$L $N = $L", type, max, numeric.literal(Double.NEGATIVE_INFINITY));
        if (unrolled) {
            for (int e = 0; e < shape.size(); e++) {
                code.addStatement("$N = $T.max($N, $L)", max, JavaLang.MATH, max, at(vector, shape, e));
            }
        } else {
            code.beginControlFlow("for (int i = 0; i < $L; i++)", shape.size())
                    .addStatement(
                            "$N = $T.max($N, $L)", max, JavaLang.MATH, max, kernel.ref(vector, Index.vectorLoop("i")))
                    .endControlFlow();
        }
        return code.beginControlFlow(
                        "if ($T.isInfinite($N))", numeric.isFloat() ? JavaLang.FLOAT : JavaLang.DOUBLE, max)
                .addStatement("$N = $L", max, numeric.literal(0))
                .endControlFlow()
                .build();
    }

    /** Softmax {@code exp(v - m) / Σ exp(v - m)}, or log-softmax {@code v - lse(v)}. */
    private CodeBlock softmax(Node node, String name, String type, boolean unrolled, boolean log) {
        int vector = node.arg(0);
        Shape shape = shapeOf(vector);
        CodeBlock.Builder code = CodeBlock.builder();
        if (log) {
            String lse = logSumExp(vector, code, type, unrolled);
            if (unrolled) {
                for (int e = 0; e < shape.size(); e++) {
                    code.addStatement("$L $N = $L - $N", type, kernel.local(node.id(), e), at(vector, shape, e), lse);
                }
                return code.build();
            }
            return code.beginControlFlow("for (int i = 0; i < $L; i++)", shape.size())
                    .addStatement(
                            "$L = $L - $N",
                            kernel.slot(node.id(), CodeBlock.of("i")),
                            kernel.ref(vector, Index.vectorLoop("i")),
                            lse)
                    .endControlFlow()
                    .build();
        }
        String max = kernel.fresh("max");
        String total = kernel.fresh("total");
        code.add(maxOf(vector, shape, max, type, unrolled));
        code.addStatement("$L $N = $L", type, total, numeric.literal(0));
        if (unrolled) {
            String[] exps = new String[shape.size()];
            for (int e = 0; e < shape.size(); e++) {
                exps[e] = kernel.fresh("exp" + e);
                code.addStatement(
                        "$L $N = $L",
                        type,
                        exps[e],
                        numeric.math("exp", CodeBlock.of("$L - $N", at(vector, shape, e), max)));
                code.addStatement("$N += $N", total, exps[e]);
            }
            for (int e = 0; e < shape.size(); e++) {
                code.addStatement("$L $N = $N / $N", type, kernel.local(node.id(), e), exps[e], total);
            }
            return code.build();
        }
        return code.beginControlFlow("for (int i = 0; i < $L; i++)", shape.size())
                .addStatement(
                        "$L = $L",
                        kernel.slot(node.id(), CodeBlock.of("i")),
                        numeric.math("exp", CodeBlock.of("$L - $N", kernel.ref(vector, Index.vectorLoop("i")), max)))
                .addStatement("$N += $L", total, kernel.slot(node.id(), CodeBlock.of("i")))
                .endControlFlow()
                .beginControlFlow("for (int i = 0; i < $L; i++)", shape.size())
                .addStatement("$L /= $N", kernel.slot(node.id(), CodeBlock.of("i")), total)
                .endControlFlow()
                .build();
    }
}
