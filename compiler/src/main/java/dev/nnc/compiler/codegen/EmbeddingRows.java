package dev.nnc.compiler.codegen;

import com.palantir.javapoet.CodeBlock;
import dev.nnc.compiler.graph.Node;
import dev.nnc.compiler.graph.TensorOp;
import dev.nnc.compiler.semantic.Shape;

/**
 * The Java of {@link TensorOp.Embedding} and {@link TensorOp.EmbeddingGrad}. A lookup is a view:
 * its element {@code [i][j]} reads the weight at row {@code (int) ids[i]}, so nothing is copied.
 * The weight's gradient is added row by row into the gradient field, only at the rows the
 * sample's ids name ({@link #addRows}); nothing of the table's size is stored per sample. The ids
 * are integers in {@code [0, count)} by the time a kernel runs (every entry point checks them
 * first), so the cast to {@code int} is exact.
 */
final class EmbeddingRows {
    private EmbeddingRows() {}

    // emb_weight[(int) (xs[xo + 3]) * 4 + j]
    static CodeBlock lookup(KernelEmitter kernel, Node node, Index at) {
        Index index = rowAndColumn(at, node.shape());
        int ids = node.arg(0);
        int dim = kernel.graph().node(node.arg(1)).shape().cols();
        boolean scalarId = kernel.graph().node(ids).shape().isScalar();
        Index id = scalarId ? Index.literal(0, Shape.scalar()) : index.asVectorElement(index.row(), index.literalRow());
        CodeBlock col = scalarId ? index.flat() : index.col();
        CodeBlock row = CodeBlock.of("(int) ($L)", kernel.ref(ids, id));
        Index element = new Index(CodeBlock.of("$L * $L + $L", row, dim, col), row, col, -1, -1, -1);
        return kernel.ref(node.arg(1), element);
    }

    /**
     * Element {@code [r][c]} of the weight's gradient as an expression, {@code Σ_i (ids[i] == r ?
     * dy[i][c] : 0)}: for the rare reader other than the gradient's sink (a regulariser's term
     * added to it), which then reads the table element by element.
     */
    static CodeBlock gradientElement(KernelEmitter kernel, Node node, Index at, String zero) {
        Index index = rowAndColumn(at, node.shape());
        int ids = node.arg(0);
        Shape idShape = kernel.graph().node(ids).shape();
        int count = Math.max(1, idShape.size());
        CodeBlock.Builder sum = CodeBlock.builder().add("(");
        for (int i = 0; i < count; i++) {
            CodeBlock id = kernel.ref(ids, Index.literal(i, idShape));
            sum.add(
                    i == 0 ? "((int) ($L) == $L ? $L : $L)" : " + ((int) ($L) == $L ? $L : $L)",
                    id,
                    index.row(),
                    kernel.ref(node.arg(1), adjointAt(kernel, node, i, index)),
                    zero);
        }
        return sum.add(")").build();
    }

    /**
     * One sample's {@code grad[ids[i]][j] += dy[i][j]}: for each id, its row of the output
     * adjoint added to the gradient row it names, in the order of the ids (the order in which the
     * reference sums repeated ids).
     */
    static CodeBlock addRows(KernelEmitter kernel, Node grad, ParameterField p) {
        int ids = grad.arg(0);
        Shape idShape = kernel.graph().node(ids).shape();
        int dim = p.cols();
        CodeBlock.Builder code = CodeBlock.builder().add("// add each id's output gradient to its row\n");
        if (kernel.isUnrolled()) {
            for (int k = 0; k < Math.max(1, idShape.size()); k++) {
                String row = kernel.fresh("idRow");
                code.addStatement("int $N = (int) ($L)", row, kernel.ref(ids, Index.literal(k, idShape)));
                for (int j = 0; j < dim; j++) {
                    code.addStatement(
                            "$L += $L",
                            p.at(p.gradient(), rowElement(row, dim, CodeBlock.of("$L", j))),
                            kernel.ref(grad.arg(1), adjointElement(kernel, grad, CodeBlock.of("$L", k), k, j)));
                }
            }
            return code.build();
        }
        CodeBlock j = CodeBlock.of("j");
        CodeBlock.Builder rowLoop = CodeBlock.builder();
        if (idShape.isScalar()) {
            rowLoop.addStatement("int idRow = (int) ($L)", kernel.ref(ids, Index.literal(0, idShape)));
        } else {
            code.beginControlFlow("for (int k = 0; k < $L; k++)", idShape.size());
            rowLoop.addStatement("int idRow = (int) ($L)", kernel.ref(ids, Index.vectorLoop("k")));
        }
        rowLoop.beginControlFlow("for (int j = 0; j < $L; j++)", dim)
                .addStatement(
                        "$L += $L",
                        p.at(p.gradient(), rowElement("idRow", dim, j)),
                        kernel.ref(grad.arg(1), adjointElement(kernel, grad, CodeBlock.of("k"), -1, -1)))
                .endControlFlow();
        code.add(rowLoop.build());
        if (!idShape.isScalar()) {
            code.endControlFlow();
        }
        return code.build();
    }

    /**
     * {@code index} with its row and column worked out from the flat position: readers that walk
     * a tensor in row-major order (a sum, a reshape) give the flat position only.
     */
    private static Index rowAndColumn(Index index, Shape shape) {
        return index.isLiteral() ? Index.literal(index.literal(), shape) : Index.of(index.flat(), shape);
    }

    /** Element {@code [row][col]} of the table, {@code row} a local. */
    private static Index rowElement(String row, int dim, CodeBlock col) {
        return new Index(CodeBlock.of("$N * $L + $L", row, dim, col), CodeBlock.of("$N", row), col, -1, -1, -1);
    }

    /** Element {@code [i][index's column]} of the output adjoint, for {@link #gradientElement}. */
    private static Index adjointAt(KernelEmitter kernel, Node grad, int i, Index index) {
        Shape dy = kernel.graph().node(grad.arg(1)).shape();
        int cols = dy.isVector() ? dy.size() : dy.cols();
        if (index.isLiteral()) {
            return Index.literal(dy.isVector() ? index.literalCol() : i * cols + index.literalCol(), dy);
        }
        if (dy.isVector()) {
            return Index.flat(index.col());
        }
        return new Index(
                CodeBlock.of("$L + $L", i * cols, index.col()), CodeBlock.of("$L", i), index.col(), -1, -1, -1);
    }

    /**
     * Element {@code [k][j]} of the output adjoint ({@code [j]} for a scalar id): literal
     * positions in unrolled code, the loop variables {@code k} and {@code j} otherwise.
     */
    private static Index adjointElement(KernelEmitter kernel, Node grad, CodeBlock k, int literalK, int literalJ) {
        Shape dy = kernel.graph().node(grad.arg(1)).shape();
        if (literalJ >= 0) {
            return Index.literal(dy.isVector() ? literalJ : literalK * dy.cols() + literalJ, dy);
        }
        if (dy.isVector()) {
            return Index.vectorLoop("j");
        }
        return new Index(CodeBlock.of("$L * $L + j", k, dy.cols()), k, CodeBlock.of("j"), -1, -1, -1);
    }
}
