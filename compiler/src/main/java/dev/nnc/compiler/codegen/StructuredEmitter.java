package dev.nnc.compiler.codegen;

import com.palantir.javapoet.CodeBlock;
import dev.nnc.compiler.graph.LeafOp;
import dev.nnc.compiler.graph.LossOp;
import dev.nnc.compiler.graph.Node;
import dev.nnc.compiler.graph.Op;
import dev.nnc.compiler.graph.TensorOp;
import dev.nnc.compiler.loops.Loops;
import dev.nnc.compiler.semantic.Shape;

/**
 * Statements for the nodes that are not elementwise. The reductions (sums, dot products, a
 * sample's own products, line sums, the softmax family and the fused losses from logits) are
 * loop nests ({@link Loops#reduction}), which this class writes and wraps: a comment on a fused
 * loss, the runtime's vector column sums where the rows are flat runs. The products of a weight
 * over a tile are nests too, whose kernel {@link SampleProducts} chooses; a sample's matrix
 * product in a kernel with scratch rows is still its own loops or the runtime's kernel.
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
     * {@code y = W x} for every sample of a tile, a {@link dev.nnc.compiler.loops.Stmt.Product} of
     * the loop-nest stage ({@link Loops#tileProduct}) whose kernel {@link SampleProducts} chooses:
     * along rows of the transposed weight for {@code W x}, along rows of {@code W} for {@code W^T
     * x}, with the bias that the product's only reader adds, if any.
     */
    CodeBlock emitTile(Node node) {
        Node matrix = kernel.graph().node(node.arg(0));
        String weights;
        int terms;
        int width;
        if (matrix.op() instanceof LeafOp.Param param) {
            // W [R, C] x: columns of W [C][R] run along the output index.
            weights = kernel.columnsName(param);
            terms = param.valueShape().cols();
            width = param.valueShape().rows();
        } else {
            // W^T x for W [R, C]: rows of W [R][C] run along the output index.
            LeafOp.Param param =
                    (LeafOp.Param) kernel.graph().node(matrix.arg(0)).op();
            weights = kernel.rowsName(param);
            terms = param.valueShape().rows();
            width = param.valueShape().cols();
        }
        java.util.Optional<Integer> bias = kernel.biasOf(node.id()).map(KernelEmitter.BiasedProduct::bias);
        CodeBlock comment = CodeBlock.of(
                "// $L = $L x$L for each sample: multiply-adds along weight rows, $L rows per pass\n",
                kernel.storedName(node.id()),
                matrix.op() instanceof LeafOp.Param ? "W" : "W^T",
                bias.isPresent() ? " + bias" : "",
                SampleProducts.ROW_BLOCK);
        return CodeBlock.builder()
                .add(comment)
                .add(new LoopEmitter(kernel, numeric)
                        .emit(Loops.tileProduct(
                                node.arg(1), weights, node.id(), bias, terms, width, kernel.tileRows())))
                .build();
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
